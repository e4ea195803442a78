import type { Clock } from '../../../shared/clock';
import { EXPIRY_SWEEP_BATCH, EXPIRY_SWEEP_INTERVAL_MS } from '../../../shared/limits';
import type { AccountStore } from '../store/account-store';

/** What a sweep removed: counts only, never ids or content (safe to log). */
export interface SweepResult {
  readonly messages: number;
  readonly attachments: number;
  readonly processedEnvelopes: number;
  readonly orphanBlobs: number;
}

/**
 * Deletes every unkept message whose 30-day retention has passed (rows, full-text entries and
 * attachment blobs), forgets processed envelope ids past their window, removes orphan blob files,
 * and compacts the search index when anything was deleted.
 */
export async function sweepExpired(store: AccountStore, now = store.clock.now()): Promise<SweepResult> {
  let messages = 0;
  let attachments = 0;
  for (;;) {
    const ids = store.deletion.expiredIds(now, EXPIRY_SWEEP_BATCH);
    if (ids.length === 0) break;
    const deleted = await store.deletion.delete(ids);
    messages += deleted.messages;
    attachments += deleted.attachments;
    if (ids.length < EXPIRY_SWEEP_BATCH) break;
  }
  const processedEnvelopes = store.protocolState.expireProcessedEnvelopes(now);
  const orphanBlobs = await store.attachments.removeOrphanBlobs();
  if (messages > 0) store.deletion.compactSearchIndex();
  return { messages, attachments, processedEnvelopes, orphanBlobs };
}

/** setInterval/clearInterval, injectable so tests drive the schedule by hand. */
export interface SweepTimer {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemSweepTimer: SweepTimer = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    // The sweeper alone must not keep the process alive.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface ExpirySweeperOptions {
  readonly store: AccountStore;
  readonly clock?: Clock;
  readonly timer?: SweepTimer;
  readonly intervalMs?: number;
  /** Called after each sweep with its counts, or with the error (a failed sweep is retried next tick). */
  readonly onSweep?: (result: SweepResult | { error: unknown }) => void;
}

export interface ExpirySweeper {
  /** Resolves when the start-up sweep has finished. */
  readonly started: Promise<SweepResult | null>;
  /** Runs a sweep now (sweeps never overlap: a call during a sweep waits for it). */
  sweepNow(): Promise<SweepResult | null>;
  stop(): void;
}

/** Sweeps once at start-up, then every `intervalMs` until stopped (call stop() before closing the store). */
export function startExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { store, timer = systemSweepTimer, intervalMs = EXPIRY_SWEEP_INTERVAL_MS, onSweep } = options;
  const clock = options.clock ?? store.clock;
  let stopped = false;
  let running: Promise<SweepResult | null> = Promise.resolve(null);

  const sweepNow = (): Promise<SweepResult | null> => {
    running = running.then(async () => {
      if (stopped) return null;
      try {
        const result = await sweepExpired(store, clock.now());
        onSweep?.(result);
        return result;
      } catch (error) {
        onSweep?.({ error });
        return null;
      }
    });
    return running;
  };

  const started = sweepNow();
  const handle = timer.setInterval(() => void sweepNow(), intervalMs);
  return {
    started,
    sweepNow,
    stop() {
      stopped = true;
      timer.clearInterval(handle);
    },
  };
}
