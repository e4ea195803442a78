import { RELAY_ADDRESS_BUCKETS_MAX } from '../src/shared/limits';

/** A token bucket: `rate` tokens per second, at most `burst` saved up. Time in ms (monotonic by default). */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  take(cost = 1): boolean {
    this.#refill(this.now());
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** True once the bucket has refilled completely: it then holds no information about its key. */
  isFull(t = this.now()): boolean {
    this.#refill(t);
    return this.#tokens >= this.burst;
  }

  #refill(t: number): void {
    // A wall clock set back must not drain the bucket (nor one set forward twice refill it).
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, t - this.#last) / 1000) * this.rate);
    this.#last = t;
  }
}

/**
 * Token buckets per key (a client address): the relay's per-address limits (rendezvous opens,
 * new accounts). Memory stays bounded: buckets that have refilled completely are dropped (a full
 * bucket is what a new key gets anyway), and past `maxKeys` the least recently used key is
 * forgotten. Buckets still draining are never swept: forgetting one would hand its key a fresh
 * burst. At the cap that can happen to the oldest key, which only someone holding more than
 * `maxKeys` addresses can force, and they are not limited per address anyway.
 */
export class KeyedTokenBuckets {
  /** In order of last use (re-inserted on every take), so the first key is the least recent. */
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #sweepEveryMs: number;
  #lastSweep: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = RELAY_ADDRESS_BUCKETS_MAX,
  ) {
    if (!(rate > 0) || !(burst >= 1) || !(maxKeys >= 1)) throw new RangeError('KeyedTokenBuckets: rate > 0, burst >= 1, maxKeys >= 1');
    // A bucket left alone this long is full again, so sweeping more often would find little.
    this.#sweepEveryMs = (burst / rate) * 1000;
    this.#lastSweep = now();
  }

  /** Keys currently remembered (for tests and health figures). */
  get size(): number {
    return this.#buckets.size;
  }

  take(key: string): boolean {
    const t = this.now();
    if (t - this.#lastSweep >= this.#sweepEveryMs) this.sweep(t);
    let bucket = this.#buckets.get(key);
    if (bucket) this.#buckets.delete(key);
    else {
      bucket = new TokenBucket(this.rate, this.burst, this.now);
      if (this.#buckets.size >= this.maxKeys) this.#forgetOldest();
    }
    this.#buckets.set(key, bucket);
    return bucket.take();
  }

  /**
   * Forgets the least recently used tenth at once: one key at a time would walk the map's
   * deleted front entries on every new key while someone cycles through addresses.
   */
  #forgetOldest(): void {
    let n = Math.max(1, this.#buckets.size - this.maxKeys + 1, Math.floor(this.maxKeys / 10));
    for (const key of this.#buckets.keys()) {
      if (n-- <= 0) break;
      this.#buckets.delete(key);
    }
  }

  /** Drops the buckets that have refilled completely. */
  sweep(t = this.now()): void {
    this.#lastSweep = t;
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(t)) this.#buckets.delete(key);
  }
}
