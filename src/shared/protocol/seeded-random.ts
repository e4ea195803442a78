/**
 * Deterministic randomness for tests only: reproducible key material and message orders, so a
 * failing run can be replayed from its seed. Never use it for real keys.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '../bytes';
import type { RandomSource } from './diffie-hellman';

/** A RandomSource from SHA-256(seed ‖ counter) blocks. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  const base = utf8ToBytes(seed);
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(concatBytes(base, new Uint8Array(new Uint32Array([counter++]).buffer)));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

/** A seeded integer generator (mulberry32): next(k) is uniform in [0, k). */
export function seededInts(seed: number): { next(k: number): number } {
  let a = seed >>> 0;
  return {
    next(k) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * k);
    },
  };
}
