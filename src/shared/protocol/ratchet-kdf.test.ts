/**
 * Known answers, computed independently with Node's crypto (HKDF/HMAC/X25519), so that the
 * derivations can neither drift silently nor be wrong in the same way as the code.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { dhPublicKey } from './diffie-hellman';
import type { AccountId, DeviceId } from './ids';
import { kdfChain, kdfRoot, messageKeys } from './ratchet-kdf';
import { x3dhAssociatedData, x3dhRespond } from './x3dh';

const seq = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff);

describe('ratchet KDF known answers', () => {
  it('root KDF: HKDF-SHA256(salt = root key, ikm = DH output)', () => {
    const { rootKey, chainKey } = kdfRoot(seq(0x00), seq(0x20));
    expect(bytesToHex(rootKey)).toBe('d0024d874461d024aa0d57663e8d60b8b02482025b098c77018063e0c486209b');
    expect(bytesToHex(chainKey)).toBe('0a6f7eb131c5db213d451aec71bab6cfe55fffaa7a5405acabba8b4b50f36381');
  });

  it('chain KDF: HMAC-SHA256 with 0x01 (message key) and 0x02 (next chain key)', () => {
    const { chainKey, messageKey } = kdfChain(seq(0x40));
    expect(bytesToHex(messageKey)).toBe('01156abd78ef59f755f1e6945e5d1e2d7ddd1f1e5fe0a164b2f5fa8ad500bfba');
    expect(bytesToHex(chainKey)).toBe('f0bdefbbad3cf097dccb03f2c87159f7608e2480543eef7741c8f2e7f226e78f');
  });

  it('message key → AEAD key and nonce', () => {
    const { key, nonce } = messageKeys(seq(0x60));
    expect(bytesToHex(key)).toBe('a96a62db19a4cb8d5de261594f552025111402ae0f24f7ee1f9f9ee1bcc9c1e2');
    expect(bytesToHex(nonce)).toBe('6d830217dd238d0cecd98361f147e0ee64c32b88e5bcb34b');
  });
});

describe('X3DH known answers', () => {
  const a = { accountId: 'a'.repeat(32) as AccountId, deviceId: '1'.repeat(32) as DeviceId, dhKey: dhPublicKey(seq(0x80)) };
  const b = { accountId: 'b'.repeat(32) as AccountId, deviceId: '2'.repeat(32) as DeviceId, dhKey: dhPublicKey(seq(0xc0)), dhSecret: seq(0xc0) };

  it('derives SK from DH1..DH4 in the specified order', () => {
    const r = x3dhRespond(b, a, dhPublicKey(seq(0xa0)), seq(0xe0), seq(0x10));
    expect(bytesToHex(r.sharedKey)).toBe('7f8045ad791fe0de6bb14a754b4474feadc0a5a192b59232dc5eee3344a4c046');
  });

  it('derives SK from DH1..DH3 when no one-time prekey was left', () => {
    const r = x3dhRespond(b, a, dhPublicKey(seq(0xa0)), seq(0xe0));
    expect(bytesToHex(r.sharedKey)).toBe('b03acede15fec9f03b02ee4cde0ae9692e9f37fc7bc91372f10a84be584786a7');
  });

  it('binds both accounts, devices and identity keys, initiator first', () => {
    const ad = x3dhAssociatedData(a, b);
    expect(ad.length).toBe(128);
    expect(bytesToHex(ad.subarray(0, 32))).toBe('a'.repeat(32) + '1'.repeat(32));
    expect(bytesToHex(ad.subarray(32, 64))).toBe(bytesToHex(a.dhKey));
    expect(bytesToHex(ad.subarray(64, 96))).toBe('b'.repeat(32) + '2'.repeat(32));
    expect(bytesToHex(ad.subarray(96))).toBe(bytesToHex(b.dhKey));
  });
});
