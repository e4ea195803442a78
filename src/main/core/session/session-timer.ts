/**
 * The 6-hour desktop session's clock: warns SESSION_WARNING_MS before the end and ends it at
 * `endsAt`. Timers can fire early or late (clock changes, a suspended laptop), so each firing
 * re-reads the clock and reschedules if it is not yet time; callers may also ask `isOver()`
 * on every use, which catches a late timer before any data is shown.
 */
import type { Clock } from '../../../shared/clock';
import { DESKTOP_SESSION_MS, SESSION_WARNING_MS } from '../../../shared/limits';
import type { Timers } from '../../../shared/wire/timers';

export interface SessionWindow {
  readonly authorisedAt: number;
  readonly endsAt: number;
}

/**
 * The window for a session authorised at `authorisedAt`. The relay may report its own end (it
 * counts from when it accepted the device list, by its clock); the earlier of the two wins. An
 * end that is already past by our clock says the clocks disagree, not that the session is over:
 * it is ignored, and the relay's own close remains the authority.
 */
export function sessionWindow(authorisedAt: number, relayEndsAt?: number | null): SessionWindow {
  const own = authorisedAt + DESKTOP_SESSION_MS;
  const plausible = relayEndsAt != null && relayEndsAt > authorisedAt;
  return { authorisedAt, endsAt: plausible ? Math.min(own, relayEndsAt) : own };
}

export interface SessionTimerEvents {
  onWarning(endsAt: number): void;
  onEnd(): void;
}

/** Longest single timer; longer waits are chained (Node's timers overflow past 2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SessionTimer {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #events: SessionTimerEvents;
  #window: SessionWindow | null = null;
  #handle: unknown = null;
  #warned = false;

  constructor(clock: Clock, timers: Timers, events: SessionTimerEvents) {
    this.#clock = clock;
    this.#timers = timers;
    this.#events = events;
  }

  get window(): SessionWindow | null {
    return this.#window;
  }

  start(window: SessionWindow): void {
    this.stop();
    this.#window = window;
    this.#warned = false;
    this.#schedule();
  }

  /** Moves the end earlier (never later, never into the past): e.g. the relay reported a shorter session. */
  shorten(endsAt: number): void {
    if (!this.#window || endsAt >= this.#window.endsAt || endsAt <= this.#clock.now()) return;
    this.#window = { ...this.#window, endsAt };
    this.#schedule();
  }

  isOver(): boolean {
    return this.#window !== null && this.#clock.now() >= this.#window.endsAt;
  }

  stop(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    this.#window = null;
  }

  #schedule(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    const w = this.#window;
    if (!w) return;
    const now = this.#clock.now();
    if (now >= w.endsAt) {
      this.#window = null;
      this.#events.onEnd();
      return;
    }
    const warnAt = w.endsAt - SESSION_WARNING_MS;
    if (!this.#warned && now >= warnAt) {
      this.#warned = true;
      this.#events.onWarning(w.endsAt);
    }
    const next = this.#warned ? w.endsAt : warnAt;
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = null;
      this.#schedule();
    }, Math.min(next - now, MAX_TIMER_MS));
  }
}
