/**
 * The benchmark suites and their sizes: full (what `npm run bench` runs, under 5 minutes on
 * 2 cores) and quick (a few seconds, what CI runs through bench-smoke.test.ts).
 */
import type { Measurement, SuiteName } from './harness/measurement';
import { CLIENT_FULL, CLIENT_QUICK, runClient } from './suites/client';
import { runPairingTime } from './suites/pairing-time';
import { QUEUE_FULL, QUEUE_QUICK, runOfflineQueue } from './suites/offline-queue';
import { RELAY_LOAD_FULL, RELAY_LOAD_QUICK, runRelayLoad } from './suites/relay-load';

export interface RunOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
  /** Overrides the relay suite's connection counts (e.g. [1000] for a shorter run). */
  readonly connections?: readonly number[];
}

export type Suite = (options: RunOptions) => Promise<Measurement[]>;

export const SUITES: Record<SuiteName, Suite> = {
  relay: ({ quick, log, connections }) =>
    runRelayLoad({ ...(quick ? RELAY_LOAD_QUICK : RELAY_LOAD_FULL), ...(connections ? { connections } : {}), log }),
  queue: ({ quick, log }) => runOfflineQueue({ ...(quick ? QUEUE_QUICK : QUEUE_FULL), log }),
  client: ({ quick, log }) => runClient({ ...(quick ? CLIENT_QUICK : CLIENT_FULL), log }),
  pairing: ({ quick, log }) => runPairingTime({ pairings: quick ? 1 : 20, log }),
};
