/**
 * The stores of one node of a multi-node relay: directory, queue, presence-aware routing and
 * rendezvous in Redis (docs/deployment.md, "Several relay nodes"). Fails with
 * StoreError('STORE_UNAVAILABLE') when Redis cannot be reached at start.
 */
import type { Clock } from '../../src/shared/clock';
import { RENDEZVOUS_OPENS_PER_MINUTE } from '../../src/shared/limits';
import { CLOSE_CODES } from '../../src/shared/wire/close-codes';
import type { RelayConfig } from '../config';
import type { Logger } from '../logging';
import type { RelayStores } from '../stores/relay-stores';
import type { Sessions } from '../sessions';
import { KeyedTokenBuckets } from '../token-bucket';
import { decodeClusterMessage } from './cluster-messages';
import { ClusterRouter } from './cluster-router';
import { RedisDirectory } from './redis-directory';
import { connectRedis, redactRedisUrl } from './redis-link';
import { RedisQueue } from './redis-queue';
import { RedisRendezvous } from './redis-rendezvous';

export async function openClusterStores(redisUrl: string, config: RelayConfig, clock: Clock, log: Logger): Promise<RelayStores> {
  const link = await connectRedis(redisUrl, config.nodeId, log);
  let directory: RedisDirectory;
  try {
    directory = await RedisDirectory.open(link, log);
  } catch (error) {
    await link.close();
    throw error;
  }
  const queue = new RedisQueue(link, config.maxQueuePerDevice, log);
  const rendezvous = new RedisRendezvous(
    link,
    clock,
    config.rendezvousTtlMs,
    new KeyedTokenBuckets(RENDEZVOUS_OPENS_PER_MINUTE / 60, RENDEZVOUS_OPENS_PER_MINUTE),
    log,
  );
  let router: ClusterRouter | undefined;
  log.info({ redis: redactRedisUrl(redisUrl), node: link.nodeId }, 'cluster stores opened');
  return {
    kind: 'redis',
    directory,
    queue,
    rendezvous,
    createRouter: (sessions: Sessions) =>
      (router = new ClusterRouter(
        directory,
        queue,
        sessions,
        clock,
        config.queueRetentionMs,
        config.onlineGraceMs,
        link,
        { ttlMs: config.presenceTtlMs, refreshMs: Math.max(100, Math.floor(config.presenceTtlMs / 3)) },
        log,
      )),
    connect: ({ router: r, sessions, trust }) => {
      directory.events.onRetired = (deviceId, state) => (state === 'revoked' ? sessions.revoke(deviceId, directory.wipeFor(deviceId)) : sessions.expire(deviceId));
      directory.events.onAttestation = () => trust.invalidate();
      link.onMessage((_channel, bytes) => {
        const message = decodeClusterMessage(bytes);
        switch (message.k) {
          case 'env':
            return queue.deliverRemote(message);
          case 'replaced':
            return r.disconnect(message.d, CLOSE_CODES.REPLACED);
          case 'rv':
            return rendezvous.deliver(message);
          case 'dir':
            return directory.receive(message);
        }
      });
    },
    close: async () => {
      router?.stop();
      await link.close();
    },
  };
}
