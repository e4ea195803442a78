import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket';

describe('token bucket', () => {
  it('allows a burst, then the sustained rate', () => {
    let t = 0;
    const bucket = new TokenBucket(10, 5, () => t);
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    t += 100; // one token at 10/s
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    t += 10_000;
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
  });

  it('keeps separate buckets per key', () => {
    let t = 0;
    const buckets = new KeyedTokenBuckets(1, 2, () => t);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([true, true, false]);
    expect(buckets.take('b')).toBe(true);
    t += 60_000;
    expect(buckets.take('a')).toBe(true);
  });
});

describe('keyed token buckets: bounded memory without handing out fresh bursts', () => {
  it('forgets keys whose buckets have refilled, and keeps draining ones (no reset of a drained key)', () => {
    let t = 0;
    const buckets = new KeyedTokenBuckets(1, 10, () => t); // full again after 10 s
    for (let i = 0; i < 10; i++) buckets.take('idle');
    t = 1_000;
    for (let i = 0; i < 10; i++) buckets.take('drained');
    expect(buckets.take('drained')).toBe(false);
    t = 10_500; // 'idle' (drained at 0) is full again; 'drained' has 9.5 of 10 tokens
    buckets.sweep();
    expect(buckets.size).toBe(1);
    // 'drained' was kept: it has refilled by time alone, not been handed a new full bucket.
    expect(Array.from({ length: 10 }, () => buckets.take('drained')).filter(Boolean)).toHaveLength(9);
  });

  it('sweeps on its own once a full refill period has passed', () => {
    let t = 0;
    const buckets = new KeyedTokenBuckets(1, 2, () => t);
    buckets.take('a');
    buckets.take('b');
    t = 2_000;
    buckets.take('c');
    expect(buckets.size).toBe(1);
  });

  it('never remembers more than maxKeys: the least recently used key goes first', () => {
    const t = 0;
    const buckets = new KeyedTokenBuckets(1, 1, () => t, 3);
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key)).toBe(true);
    expect(buckets.take('a')).toBe(false); // 'a' is now the most recent, 'b' the least
    expect(buckets.take('d')).toBe(true);
    expect(buckets.size).toBe(3);
    expect(buckets.take('a')).toBe(false); // still remembered
    expect(buckets.take('c')).toBe(false);
    expect(buckets.take('b')).toBe(true); // forgotten, so a fresh bucket
    expect(buckets.size).toBe(3);
  });

  it('at the cap forgets the least recent tenth in one go, keeping the recent keys', () => {
    const buckets = new KeyedTokenBuckets(1, 1, () => 0, 20);
    for (let i = 0; i < 20; i++) buckets.take(`k${i}`);
    buckets.take('k0'); // now the most recent
    buckets.take('new');
    expect(buckets.size).toBe(19);
    expect(buckets.take('k0')).toBe(false);
    expect(buckets.take('k3')).toBe(false);
    expect([buckets.take('k1'), buckets.take('k2')]).toEqual([true, true]);
  });

  it('does not drain a bucket when the clock goes back', () => {
    let t = 100_000;
    const bucket = new TokenBucket(1, 2, () => t);
    bucket.take();
    t = 0;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    t = 1_000;
    expect(bucket.take()).toBe(true);
  });

  it('refuses settings that would never refill', () => {
    expect(() => new KeyedTokenBuckets(0, 5)).toThrow(RangeError);
    expect(() => new KeyedTokenBuckets(1, 0)).toThrow(RangeError);
    expect(() => new KeyedTokenBuckets(1, 1, undefined, 0)).toThrow(RangeError);
  });
});
