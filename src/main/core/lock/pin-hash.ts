import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * scrypt parameters for the PIN hash. N = 2^15, r = 8, p = 1 costs 32 MiB and roughly 0.1 s per
 * try on a ward workstation: a 5-digit PIN space is small, so the hash only buys time against an
 * attacker who already holds the database key; the lockout is the real online defence. The
 * parameters are stored beside each hash so they can be raised later without breaking old hashes.
 */
export const zPinHashParams = z.object({
  algorithm: z.literal('scrypt'),
  N: z.number().int().min(1024).max(2 ** 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  keyLength: z.number().int().min(16).max(64),
});
export type PinHashParams = z.infer<typeof zPinHashParams>;

export const PIN_HASH_PARAMS: PinHashParams = { algorithm: 'scrypt', N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
const SALT_LENGTH = 16;

export interface PinHash {
  readonly hash: Uint8Array;
  readonly salt: Uint8Array;
  readonly params: PinHashParams;
}

function derive(pin: string, salt: Uint8Array, params: PinHashParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export async function hashPin(pin: string, params: PinHashParams = PIN_HASH_PARAMS): Promise<PinHash> {
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  return { hash: new Uint8Array(await derive(pin, salt, params)), salt, params };
}

/** Constant-time comparison of a candidate PIN with a stored hash. */
export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const candidate = await derive(pin, stored.salt, stored.params);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}
