/** The default stores: everything in the relay's one SQLite file, one process. */
import { RENDEZVOUS_OPENS_PER_MINUTE } from '../../src/shared/limits';
import type { Clock } from '../../src/shared/clock';
import type { RelayConfig } from '../config';
import type { RelayDatabase } from '../database';
import { Directory } from '../directory';
import type { Logger } from '../logging';
import { OfflineQueue } from '../offline-queue';
import { Rendezvous } from '../rendezvous';
import { Router } from '../router';
import type { Sessions } from '../sessions';
import { KeyedTokenBuckets } from '../token-bucket';
import type { RelayStores } from './relay-stores';

export function openEmbeddedStores(db: RelayDatabase, config: RelayConfig, clock: Clock, log: Logger): RelayStores {
  const directory = new Directory(db);
  const queue = new OfflineQueue(db, {
    flushIntervalMs: config.flushIntervalMs,
    maxPerDevice: config.maxQueuePerDevice,
    onWriteError: (error) => log.error({ err: String(error), code: 'INTERNAL' }, 'queue write failed; retrying'),
    // 'full': the queue's fsync runs off the event loop (same guarantee, see OfflineQueueOptions.syncFile).
    ...(config.synchronous === 'full' ? { syncFile: `${db.name}-wal` } : {}),
  });
  const rendezvous = new Rendezvous(clock, config.rendezvousTtlMs, new KeyedTokenBuckets(RENDEZVOUS_OPENS_PER_MINUTE / 60, RENDEZVOUS_OPENS_PER_MINUTE));
  return {
    kind: 'sqlite',
    directory,
    queue,
    rendezvous,
    createRouter: (sessions: Sessions) => new Router(directory, queue, sessions, clock, config.queueRetentionMs, config.onlineGraceMs),
    connect: () => undefined,
    close: () => {
      queue.close();
      return Promise.resolve();
    },
  };
}
