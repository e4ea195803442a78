/**
 * Timers driven by a movable clock, for tests of time rules (session end, offer rotation): move
 * the clock, then `runDue()` fires every callback whose time has come, in time order.
 */
import type { Clock } from '../../../shared/clock';
import type { Timers } from '../../../shared/wire/timers';

/** A clock tests can move: FakeClock, or real time plus an offset. */
export interface MovableClock extends Clock {
  advance(ms: number): void;
}

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
}

export class ManualTimers implements Timers {
  readonly #clock: MovableClock;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;

  constructor(clock: MovableClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#pending.set(seq, { due: this.#clock.now() + Math.max(0, ms), seq, callback });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#pending.delete(handle);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Fires due callbacks (including ones they schedule that are already due); returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const now = this.#clock.now();
      const next = [...this.#pending.values()].filter((p) => p.due <= now).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) return ran;
      this.#pending.delete(next.seq);
      next.callback();
      ran++;
    }
  }

  /** Advances the clock by `ms` and fires what became due. */
  advance(ms: number): number {
    this.#clock.advance(ms);
    return this.runDue();
  }
}
