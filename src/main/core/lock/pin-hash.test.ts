import { describe, expect, it } from 'vitest';
import { hashPin, PIN_HASH_PARAMS, pinMatches } from './pin-hash';

describe('PIN hash', () => {
  it('matches the right PIN only, with a fresh salt every time', async () => {
    const a = await hashPin('48213');
    const b = await hashPin('48213');
    expect(a.params).toEqual(PIN_HASH_PARAMS);
    expect(Buffer.from(a.salt).equals(Buffer.from(b.salt))).toBe(false);
    expect(Buffer.from(a.hash).equals(Buffer.from(b.hash))).toBe(false);
    expect(await pinMatches('48213', a)).toBe(true);
    expect(await pinMatches('48214', a)).toBe(false);
    expect(await pinMatches('48213', { ...a, hash: a.hash.subarray(0, 16) })).toBe(false);
  });

  it('verifies with the parameters stored beside the hash', async () => {
    const cheap = { ...PIN_HASH_PARAMS, N: 1024 };
    const stored = await hashPin('48213', cheap);
    expect(await pinMatches('48213', stored)).toBe(true);
    expect(await pinMatches('48213', { ...stored, params: PIN_HASH_PARAMS })).toBe(false);
  });
});
