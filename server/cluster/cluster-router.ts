/**
 * Routing on a relay node of a cluster: the single-node Router, plus device presence in Redis.
 * While a device is connected here its presence key (`wl:at:D`) names this node and is refreshed;
 * the queue's append script publishes envelopes for it to this node's channel. When the device
 * connects to another node, that node takes the key and tells this one to close the old
 * connection (REPLACED). A node that dies stops refreshing; its keys expire and the devices'
 * envelopes wait in their streams until they connect again, anywhere.
 */
import type { Clock } from '../../src/shared/clock';
import type { DeviceId } from '../../src/shared/protocol/ids';
import { CLOSE_CODES, type CloseCode } from '../../src/shared/wire/close-codes';
import type { DeviceLink } from '../device-link';
import type { Directory, DeviceRecord } from '../directory';
import type { Logger } from '../logging';
import type { Peer } from '../peer';
import { Router } from '../router';
import type { Sessions } from '../sessions';
import { encodeClusterMessage } from './cluster-messages';
import { CLAIM, REFRESH, RELEASE } from './redis-queue-scripts';
import { nodeChannel, replyText, type RedisLink } from './redis-link';
import { queueKeys, type RedisQueue } from './redis-queue';

export interface PresenceTiming {
  /** How long a presence key lives without a refresh (a dead node's devices become reachable again after this). */
  readonly ttlMs: number;
  readonly refreshMs: number;
}

export class ClusterRouter extends Router {
  readonly #timer: NodeJS.Timeout;

  constructor(
    directory: Directory,
    private readonly clusterQueue: RedisQueue,
    sessions: Sessions,
    clock: Clock,
    retentionMs: number,
    onlineGraceMs: number,
    private readonly redis: RedisLink,
    private readonly timing: PresenceTiming,
    private readonly log: Logger,
  ) {
    super(directory, clusterQueue, sessions, clock, retentionMs, onlineGraceMs);
    clusterQueue.delivery = { offer: (entry) => this.link(entry.deviceId)?.offer(entry) };
    this.#timer = setInterval(() => void this.#refresh(), timing.refreshMs);
    this.#timer.unref();
    // After an outage: claims may have lapsed and published envelopes may have been missed.
    redis.subscriber.on('ready', () => {
      void this.#refresh().then(() => clusterQueue.reloadAll());
    });
  }

  override attach(device: DeviceRecord, peer: Peer): DeviceLink {
    const link = super.attach(device, peer);
    // After super.attach: closing an older connection of the device here releases its mirror.
    if (!this.clusterQueue.isTracked(device.deviceId)) {
      this.clusterQueue.track(device.deviceId);
      this.#claim(device.deviceId);
    }
    return link;
  }

  override detach(link: DeviceLink): void {
    const current = this.link(link.deviceId) === link;
    super.detach(link);
    if (current) this.#release(link.deviceId);
  }

  override disconnect(deviceId: DeviceId, code: CloseCode): void {
    const had = this.link(deviceId) !== undefined;
    super.disconnect(deviceId, code);
    if (had) this.#release(deviceId);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * Presence first, then the stream read, on the same connection and so in this order: an
   * envelope appended before the claim is in the read; one appended after it is published here.
   */
  #claim(deviceId: DeviceId): void {
    const r = this.redis.commands;
    CLAIM.run(r, [queueKeys.presence(deviceId)], [this.redis.nodeId, this.timing.ttlMs]).then(
      (reply) => {
        const previous = replyText(reply);
        if (previous && previous !== this.redis.nodeId) {
          void r.publish(nodeChannel(previous), Buffer.from(encodeClusterMessage({ k: 'replaced', d: deviceId })));
        }
      },
      (error: unknown) => this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'presence claim failed'),
    );
    void this.clusterQueue.load(deviceId);
  }

  #release(deviceId: DeviceId): void {
    this.clusterQueue.untrack(deviceId);
    RELEASE.run(this.redis.commands, [queueKeys.presence(deviceId)], [this.redis.nodeId]).catch((error: unknown) =>
      this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'presence release failed'),
    );
  }

  async #refresh(): Promise<void> {
    for (const deviceId of [...this.clusterQueue.tracked()]) {
      try {
        const held = await REFRESH.run(this.redis.commands, [queueKeys.presence(deviceId)], [this.redis.nodeId, this.timing.ttlMs]);
        // Another node holds the device now (its 'replaced' message may have been missed).
        if (held === 0 && this.link(deviceId)) this.disconnect(deviceId, CLOSE_CODES.REPLACED);
      } catch (error) {
        this.log.warn({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'presence refresh failed');
        return;
      }
    }
  }
}
