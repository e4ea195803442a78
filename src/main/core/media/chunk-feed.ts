/**
 * Turns a series of calls (`push` per API call) into the async iterable a streaming consumer
 * reads (the encrypted spool writer). `push` settles once the consumer has taken the piece, so
 * at most one piece waits in memory, and a consumer failure reaches the next caller.
 */
export class ChunkFeed implements AsyncIterable<Uint8Array> {
  #waiting: { piece: Uint8Array; taken: () => void } | null = null;
  #ended = false;
  #wakeConsumer: (() => void) | null = null;
  #failure: Error | null = null;
  readonly #failureWaiters = new Set<(error: Error) => void>();

  /** Resolves when the consumer took `piece`; rejects if the consumer failed meanwhile. */
  push(piece: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error('feed ended'));
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiting) return Promise.reject(new Error('previous piece not taken yet'));
    return new Promise<void>((resolve, reject) => {
      const onFailure = (error: Error) => reject(error);
      this.#failureWaiters.add(onFailure);
      this.#waiting = {
        piece,
        taken: () => {
          this.#failureWaiters.delete(onFailure);
          resolve();
        },
      };
      this.#wake();
    });
  }

  /** No more pieces: the consumer's loop ends after the last one. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The consumer failed (or the upload was aborted): pending and later pushes reject with `error`. */
  fail(error: unknown): void {
    if (this.#failure) return;
    const failure = error instanceof Error ? error : new Error('feed failed');
    this.#failure = failure;
    this.#ended = true;
    for (const reject of this.#failureWaiters) reject(failure);
    this.#failureWaiters.clear();
    this.#waiting = null;
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const waiting = this.#waiting;
      if (waiting) {
        this.#waiting = null;
        yield waiting.piece;
        // The consumer asked for the next piece: it has dealt with this one.
        waiting.taken();
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wakeConsumer = resolve));
    }
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = null;
    wake?.();
  }
}
