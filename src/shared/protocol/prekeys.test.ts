import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { ProtocolError } from '../errors';
import { dhPublicKey } from './diffie-hellman';
import { createOneTimePrekeys, createSignedPrekey, verifyPrekeyBundle, verifySignedPrekey, type PrekeyBundle } from './prekeys';
import { createTestAccount } from './test-accounts';
import { thrownCode } from '../testing/error-code';

const codeOf = (fn: () => unknown) => thrownCode(fn, { only: ProtocolError });

describe('prekeys', () => {
  const account = createTestAccount(['phone', 'desktop'], { oneTimePrekeys: 2 });
  const phone = account.devices[0]!;
  const desk = account.devices[1]!;

  it('signs a prekey with the device key and verifies it against the certificate', () => {
    const { published, secret } = createSignedPrekey(phone.keys, 7, 1234);
    const spk = verifySignedPrekey(published, phone.certificate);
    expect(spk).toMatchObject({ deviceId: phone.keys.deviceId, id: 7, createdAt: 1234 });
    expect(bytesToHex(spk.key)).toBe(bytesToHex(dhPublicKey(secret.secretKey)));
  });

  it('refuses a signed prekey presented for another device', () => {
    const { published } = createSignedPrekey(phone.keys, 1, 0);
    expect(codeOf(() => verifySignedPrekey(published, desk.certificate))).toBe('BAD_SIGNATURE');
  });

  it('refuses a tampered or truncated signed prekey', () => {
    const { published } = createSignedPrekey(phone.keys, 1, 0);
    const tampered = published.slice();
    tampered[20]! ^= 0x40;
    expect(['BAD_SIGNATURE', 'MALFORMED']).toContain(codeOf(() => verifySignedPrekey(tampered, phone.certificate)));
    expect(codeOf(() => verifySignedPrekey(published.subarray(0, 30), phone.certificate))).toBe('MALFORMED');
  });

  it('makes one-time prekeys with consecutive ids and distinct keys', () => {
    const { published, secrets } = createOneTimePrekeys(0xffff_fffe, 3);
    expect(published.map((p) => p.id)).toEqual([0xffff_fffe, 0xffff_ffff, 0]);
    expect(new Set(published.map((p) => bytesToHex(p.key))).size).toBe(3);
    expect(bytesToHex(dhPublicKey(secrets[1]!.secretKey))).toBe(bytesToHex(published[1]!.key));
  });

  it('verifies a bundle only against the certificate of the device it names', () => {
    const bundle = phone.nextBundle();
    const verified = verifyPrekeyBundle(bundle, phone.certificate);
    expect(verified.identityDhKey).toEqual(phone.keys.dh.publicKey);
    expect(verified.oneTimePrekey?.id).toBe(1);
    expect(codeOf(() => verifyPrekeyBundle(bundle, desk.certificate))).toBe('BAD_CERTIFICATE');
    const swapped: PrekeyBundle = { ...desk.nextBundle(), signedPrekey: bundle.signedPrekey };
    expect(codeOf(() => verifyPrekeyBundle(swapped, desk.certificate))).toBe('BAD_SIGNATURE');
    const bad = { ...bundle, oneTimePrekey: { id: 1, key: new Uint8Array(5) } };
    expect(codeOf(() => verifyPrekeyBundle(bad, phone.certificate))).toBe('MALFORMED');
  });
});
