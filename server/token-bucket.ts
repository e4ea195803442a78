/** A token bucket: `rate` tokens per second, at most `burst` saved up. Time comes from a monotonic clock. */
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
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = t;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

/** Token buckets per key (a client address), forgetting keys that have refilled completely. */
export class KeyedTokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  #lastSweep: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#lastSweep = now();
  }

  take(key: string): boolean {
    const t = this.now();
    // A full bucket holds no information; dropping them keeps the map bounded by recent talkers.
    if (t - this.#lastSweep > (this.burst / this.rate) * 1000) {
      this.#buckets.clear();
      this.#lastSweep = t;
    }
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(this.rate, this.burst, this.now)));
    return bucket.take();
  }
}
