/**
 * The phone's automatic backup: asks "is a backup due?" (phone.backUpIfDue: never uploaded, the
 * snapshot or code changed, or BACKUP_INTERVAL_MS since the last upload) every
 * BACKUP_CHECK_INTERVAL_MS, and BACKUP_CHANGE_DEBOUNCE_MS after the last change the phone reports.
 * A failed run is retried after BACKUP_RETRY_BACKOFF_MS (growing per failure in a row). A failed
 * upload never costs the previous backup: the relay keeps the old one until every chunk of the new
 * one is in (server/backup-store.ts), and the phone only records an upload the relay confirmed,
 * so the failed content stays due.
 *
 * Timers and the clock are injected, so the rules are tested by moving a fake clock.
 */
import type { Clock } from '../shared/clock';
import { isWardlineError } from '../shared/errors';
import { BACKUP_CHANGE_DEBOUNCE_MS, BACKUP_CHECK_INTERVAL_MS, BACKUP_RETRY_BACKOFF_MS } from '../shared/limits';
import type { Timers } from '../shared/wire/timers';
import type { BackupUpload } from './phone-backup';

export interface BackupScheduleOptions {
  /** Uploads when due; resolves null when nothing was due. */
  readonly run: () => Promise<BackupUpload | null>;
  readonly timers: Timers;
  readonly clock: Clock;
  /** Ids and codes only. */
  readonly log?: (event: string, fields?: Record<string, string | number | boolean>) => void;
}

export class BackupSchedule {
  readonly #o: BackupScheduleOptions;
  #timer: unknown = null;
  #timerDue = Infinity;
  #running: Promise<void> | null = null;
  #again = false;
  #failures = 0;
  #started = false;

  constructor(options: BackupScheduleOptions) {
    this.#o = options;
  }

  /** Failed runs in a row (0 after a success). */
  get failures(): number {
    return this.#failures;
  }

  /** Checks at once (a phone that was off for days uploads on start), then on the schedule. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#at(0);
  }

  stop(): void {
    this.#started = false;
    this.#clear();
  }

  /** Something that goes into the backup changed: check once things have been quiet a while. */
  changed(): void {
    if (!this.#started || this.#failures > 0) return; // a retry is already scheduled
    this.#clear();
    this.#at(BACKUP_CHANGE_DEBOUNCE_MS);
  }

  /** Resolves when no run is in flight (tests, close). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #at(delayMs: number): void {
    const due = this.#o.clock.now() + delayMs;
    // An earlier pending check stands; a later one is replaced by this earlier one.
    if (this.#timer !== null && this.#timerDue <= due) return;
    this.#clear();
    this.#timerDue = due;
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = null;
      this.#timerDue = Infinity;
      this.#fire();
    }, delayMs);
  }

  #clear(): void {
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDue = Infinity;
  }

  #fire(): void {
    if (!this.#started) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#runOnce().finally(() => {
      this.#running = null;
      if (this.#again && this.#started) {
        this.#again = false;
        this.#fire();
      }
    });
  }

  async #runOnce(): Promise<void> {
    const log = this.#o.log ?? (() => undefined);
    try {
      const done = await this.#o.run();
      this.#failures = 0;
      if (done) log('backup-uploaded', { chunks: done.chunks, at: done.createdAt });
      if (this.#started) this.#at(BACKUP_CHECK_INTERVAL_MS);
    } catch (error) {
      const wait = BACKUP_RETRY_BACKOFF_MS[Math.min(this.#failures, BACKUP_RETRY_BACKOFF_MS.length - 1)] ?? BACKUP_CHECK_INTERVAL_MS;
      this.#failures++;
      log('backup-failed', { code: isWardlineError(error) ? error.code : 'INTERNAL', failures: this.#failures, retryInMs: wait });
      if (this.#started) {
        this.#clear();
        this.#at(wait);
      }
    }
  }
}
