/**
 * The kiosk's idle log-out: after `idleMs` without user input the person is logged out (and, in
 * kiosk mode, their data wiped). KIOSK_LOGOUT_COUNTDOWN_MS before that a countdown is announced
 * so someone still at the screen can stay. The core owns this rule, not the renderer: a page
 * that stops reporting (crashed, hung, tampered with) is logged out all the same.
 *
 * Activity only records a time (reports arrive every few seconds); the one pending timer
 * re-reads the clock when it fires and re-arms for what is left, as SessionTimer does.
 */
import type { Clock } from '../../../shared/clock';
import { IDLE_ACTIVITY_MIN_INTERVAL_MS, KIOSK_LOGOUT_COUNTDOWN_MS } from '../../../shared/limits';
import type { Timers } from '../../../shared/wire/timers';

export interface IdleLogoutEvents {
  /** The countdown started (`logoutAt`) or was cancelled by activity (null). */
  countdown(logoutAt: number | null): void;
  logout(): void;
}

export class IdleLogout {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #idleMs: number;
  readonly #events: IdleLogoutEvents;
  #lastActivity = 0;
  #handle: unknown = null;
  #running = false;
  #counting = false;

  constructor(clock: Clock, timers: Timers, idleMs: number, events: IdleLogoutEvents) {
    if (!(idleMs > KIOSK_LOGOUT_COUNTDOWN_MS)) throw new RangeError('idle log-out must be longer than its countdown');
    this.#clock = clock;
    this.#timers = timers;
    this.#idleMs = idleMs;
    this.#events = events;
  }

  get running(): boolean {
    return this.#running;
  }

  /** When the log-out will happen if nobody touches the screen; null when not running. */
  get logoutAt(): number | null {
    return this.#running ? this.#lastActivity + this.#idleMs : null;
  }

  /** Starts watching from now (a person just paired or unlocked). */
  start(): void {
    this.stop();
    this.#running = true;
    this.#lastActivity = this.#clock.now();
    this.#arm();
  }

  stop(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    this.#running = false;
    if (this.#counting) {
      this.#counting = false;
      this.#events.countdown(null);
    }
  }

  /**
   * Someone is at the screen. Returns false when the report was ignored: not running, or too
   * soon after the last one (a page cannot keep the core busy by flooding it).
   */
  activity(): boolean {
    if (!this.#running) return false;
    const now = this.#clock.now();
    if (now - this.#lastActivity < IDLE_ACTIVITY_MIN_INTERVAL_MS) return false;
    this.#lastActivity = now;
    if (this.#counting) {
      this.#counting = false;
      this.#events.countdown(null);
    }
    return true;
  }

  #arm(): void {
    const now = this.#clock.now();
    const logoutAt = this.#lastActivity + this.#idleMs;
    const countdownAt = logoutAt - KIOSK_LOGOUT_COUNTDOWN_MS;
    const next = this.#counting || now >= countdownAt ? logoutAt : countdownAt;
    this.#handle = this.#timers.setTimeout(() => this.#fire(), Math.max(0, next - now));
  }

  #fire(): void {
    this.#handle = null;
    if (!this.#running) return;
    const now = this.#clock.now();
    const logoutAt = this.#lastActivity + this.#idleMs;
    if (now >= logoutAt) {
      this.#running = false;
      this.#counting = false;
      this.#events.logout();
      return;
    }
    if (!this.#counting && now >= logoutAt - KIOSK_LOGOUT_COUNTDOWN_MS) {
      this.#counting = true;
      this.#events.countdown(logoutAt);
    }
    this.#arm();
  }
}
