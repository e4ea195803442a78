/**
 * X25519 for X3DH, the ratchet and the sealed-sender layer, with an injectable randomness
 * source so tests can be deterministic.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ProtocolError } from '../errors';

/** Returns `n` uniformly random bytes. Production uses the platform CSPRNG. */
export type RandomSource = (n: number) => Uint8Array;
export const secureRandom: RandomSource = (n) => randomBytes(n);

export interface DhKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function generateDhKeyPair(random: RandomSource = secureRandom): DhKeyPair {
  const secretKey = random(32);
  return { publicKey: x25519.getPublicKey(secretKey), secretKey };
}

export function dhPublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

/** A low-order public key gives an all-zero secret; that is refused, not used as a key. */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, publicKey);
  } catch (cause) {
    throw new ProtocolError('MALFORMED', 'X25519: invalid public key', { cause });
  }
}
