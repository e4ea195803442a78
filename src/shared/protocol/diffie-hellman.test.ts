import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes';
import { ProtocolError } from '../errors';
import { dh, dhPublicKey, generateDhKeyPair } from './diffie-hellman';
import { seededRandom } from './seeded-random';

// X25519 public keys come from noble's fixed-base path (Edwards base-point tables, mapped to the
// Montgomery u-coordinate), not from the ladder. These tests pin that path to the RFC 7748
// definition: the ladder applied to the base point u = 9.
const BASE_U = new Uint8Array(32);
BASE_U[0] = 9;
const ladderPublicKey = (secret: Uint8Array) => x25519.getSharedSecret(secret, BASE_U);

const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
const scalarBytes = (k: bigint) => hexToBytes(k.toString(16).padStart(64, '0')).reverse();

describe('X25519 key pairs', () => {
  it('match the RFC 7748 test vectors', () => {
    const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const alicePublic = generateDhKeyPair(() => alice.slice()).publicKey;
    const bobPublic = dhPublicKey(bob);
    expect(bytesToHex(alicePublic)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(bytesToHex(bobPublic)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(bytesToHex(dh(alice, bobPublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    expect(bytesToHex(dh(bob, alicePublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it('equal the ladder on the base point for 200 seeded secrets, and their DH agrees', () => {
    const random = seededRandom('diffie-hellman/fixed-base');
    let previous = generateDhKeyPair(random);
    for (let i = 0; i < 200; i++) {
      const pair = generateDhKeyPair(random);
      expect(bytesToHex(pair.publicKey), `secret ${i}`).toBe(bytesToHex(ladderPublicKey(pair.secretKey)));
      expect(bytesToHex(dh(pair.secretKey, previous.publicKey))).toBe(bytesToHex(dh(previous.secretKey, pair.publicKey)));
      previous = pair;
    }
  });

  it('equal the ladder at edge scalars, clamping exactly as X25519 does', () => {
    const edges = [
      new Uint8Array(32),
      new Uint8Array(32).fill(0xff),
      scalarBytes(2n ** 254n), // smallest clamped scalar
      scalarBytes(2n ** 255n - 8n), // largest clamped scalar
      // Clamped scalars whose residue mod the group order is tiny or just below it, where a
      // reduction or table edge case would show: 4n+4 → 4, 6n+2 → 2, 5n+7 → 7, 7n+5 → 5, 5n−1 → n−1.
      scalarBytes(4n * ORDER + 4n),
      scalarBytes(6n * ORDER + 2n),
      scalarBytes(5n * ORDER + 7n),
      scalarBytes(7n * ORDER + 5n),
      scalarBytes(5n * ORDER - 1n),
      // Bits that clamping clears must not change the key.
      scalarBytes(2n ** 255n + 2n ** 254n + 7n),
    ];
    for (const secret of edges) {
      const pair = generateDhKeyPair(() => secret.slice());
      expect(bytesToHex(pair.publicKey), bytesToHex(secret)).toBe(bytesToHex(ladderPublicKey(secret)));
      expect(bytesToHex(pair.secretKey)).toBe(bytesToHex(secret));
    }
    expect(bytesToHex(dhPublicKey(scalarBytes(2n ** 255n + 2n ** 254n + 7n)))).toBe(bytesToHex(dhPublicKey(scalarBytes(2n ** 254n))));
  });

  it('refuses a low-order public key instead of returning an all-zero secret', () => {
    const { secretKey } = generateDhKeyPair(seededRandom('diffie-hellman/low-order'));
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    for (const bad of [zero, one]) {
      expect(() => dh(secretKey, bad)).toThrow(ProtocolError);
    }
  });
});
