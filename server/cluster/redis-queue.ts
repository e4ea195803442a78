/**
 * The durable per-device queue in Redis (keys and entries: redis-queue-entries.ts). A sender is
 * settled 'stored' once the append script returned (the envelope is in Redis, as durable as its
 * persistence setting makes it) or 'delivered' once the recipient acked.
 *
 * As on one node, an envelope for a recipient connected here waits the grace period in memory
 * first (`holdMs`), and is never written if acked meanwhile; its sender is settled 'delivered'.
 *
 * For devices connected to this node the queue keeps a mirror in memory (redis-queue-mirrors.ts),
 * so delivery never waits on Redis: counts and pages are answered from it.
 */
import type { Redis } from 'ioredis';
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';
import type { Logger } from '../logging';
import type { EnqueueResult, EnvelopeQueue, QueuedEnvelope, Settlement } from '../stores/envelope-queue';
import { encodeClusterMessage, type EnvelopeMessage } from './cluster-messages';
import { replyArray, replyText, type RedisLink } from './redis-link';
import { queueKeys } from './redis-queue-entries';
import { DeviceMirrors, type Mirror, type QueueDelivery } from './redis-queue-mirrors';
import { ACK, DROP, ENQUEUE } from './redis-queue-scripts';

export { queueKeys } from './redis-queue-entries';
export type { QueueDelivery } from './redis-queue-mirrors';

const EXPIRE_AT_ONCE = 500;

export class RedisQueue implements EnvelopeQueue {
  readonly #mirrors: DeviceMirrors;
  /** Senders on this node waiting for their envelope to be durable or acked, by device + envelope id. */
  readonly #waiting = new Map<string, ((how: Settlement) => void)[]>();
  /** Envelopes for recipients connected here, kept from Redis for the grace period (they may be acked first). */
  readonly #held = new Map<string, { readonly timer: NodeJS.Timeout; readonly write: () => void }>();
  #inflight = 0;
  #totalQueued = 0;
  readonly #redis: Redis;

  constructor(
    private readonly link: RedisLink,
    private readonly maxPerDevice: number,
    private readonly log: Logger,
  ) {
    this.#redis = link.commands;
    this.#mirrors = new DeviceMirrors(this.#redis, log);
  }

  /** Where envelopes newly known for a device connected here are handed. */
  get delivery(): QueueDelivery | undefined {
    return this.#mirrors.delivery;
  }

  set delivery(delivery: QueueDelivery | undefined) {
    this.#mirrors.delivery = delivery;
  }

  count(deviceId: DeviceId): number {
    return this.#mirrors.count(deviceId);
  }

  /** Queued in Redis across all nodes, as of this node's last queue operation. */
  get totalQueued(): number {
    return this.#totalQueued;
  }

  get pendingWrites(): number {
    return this.#inflight + this.#held.size;
  }

  enqueue(
    deviceId: DeviceId,
    envelopeId: EnvelopeId,
    expiresAt: number,
    bytes: Uint8Array,
    settle: (how: Settlement) => void,
    holdMs = 0,
  ): { result: EnqueueResult; entry?: QueuedEnvelope } {
    const key = deviceId + envelopeId;
    const waiting = this.#waiting.get(key);
    if (waiting) {
      waiting.push(settle);
      return { result: 'duplicate' };
    }
    const mirror = this.#mirrors.get(deviceId);
    if (mirror?.acked.has(envelopeId)) {
      settle('delivered');
      return { result: 'duplicate' };
    }
    if (mirror?.entries.has(envelopeId)) {
      settle('stored');
      return { result: 'duplicate' };
    }
    if (mirror && mirror.entries.size >= this.maxPerDevice) return { result: 'full' };
    this.#waiting.set(key, [settle]);
    const entry = mirror ? this.#mirrors.add(mirror, deviceId, envelopeId, expiresAt, bytes) : undefined;
    const write = () => {
      this.#held.delete(key);
      // Acked (or dropped) while held: it never needs to reach Redis.
      if (this.#waiting.has(key)) this.#write(key, mirror, deviceId, envelopeId, expiresAt, bytes);
    };
    // As on one node: for a recipient connected here, an ack within the grace period saves the write.
    if (entry && holdMs > 0) this.#held.set(key, { timer: setTimeout(write, holdMs), write });
    else write();
    return { result: 'queued', ...(entry ? { entry } : {}) };
  }

  #write(key: string, mirror: Mirror | undefined, deviceId: DeviceId, envelopeId: EnvelopeId, expiresAt: number, bytes: Uint8Array): void {
    const message = encodeClusterMessage({ k: 'env', d: deviceId, e: envelopeId, x: expiresAt, b: bytes as Uint8Array<ArrayBuffer> });
    this.#inflight++;
    ENQUEUE.run(
      this.#redis,
      [queueKeys.stream(deviceId), queueKeys.index(deviceId), queueKeys.expiry, queueKeys.presence(deviceId)],
      [envelopeId, expiresAt, bytes, this.maxPerDevice, `${deviceId}/${envelopeId}`, this.link.nodeId, message],
    ).then(
      (reply) => {
        this.#inflight--;
        const [first, total] = replyArray(reply);
        this.#noteTotal(total);
        const outcome = replyText(first);
        if (outcome === 'ok' || outcome === 'dup') return this.#settle(key, 'stored');
        // Not durable: the sender is never acknowledged and resends, as after a crash.
        this.#waiting.delete(key);
        mirror?.entries.delete(envelopeId);
        this.log.warn({ device: deviceId, code: outcome === 'full' ? 'QUEUE_FULL' : 'STORE_CORRUPT' }, 'envelope not queued');
      },
      (error: unknown) => {
        this.#inflight--;
        this.#waiting.delete(key);
        this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'envelope not queued');
      },
    );
  }

  ack(deviceId: DeviceId, envelopeId: EnvelopeId): void {
    this.#mirrors.acked(deviceId, envelopeId);
    this.#settle(deviceId + envelopeId, 'delivered');
    this.#forget(deviceId, envelopeId);
  }

  page(deviceId: DeviceId, afterSeq: number, limit: number): QueuedEnvelope[] {
    return this.#mirrors.page(deviceId, afterSeq, limit);
  }

  dropDevice(deviceId: DeviceId): void {
    for (const [key, settles] of this.#waiting) {
      if (!key.startsWith(deviceId)) continue;
      this.#waiting.delete(key);
      for (const settle of settles) settle('stored');
    }
    this.#mirrors.get(deviceId)?.entries.clear();
    DROP.run(this.#redis, [queueKeys.stream(deviceId), queueKeys.index(deviceId), queueKeys.expiry], [deviceId]).then(
      (total) => this.#noteTotal(total),
      (error: unknown) => this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'queue drop failed'),
    );
  }

  /** Starts removing expired envelopes from Redis (every node may run it; each step is idempotent). */
  expire(now: number): number {
    const removed = this.#mirrors.expire(now);
    void this.#expireInRedis(now);
    return removed;
  }

  async #expireInRedis(now: number): Promise<void> {
    try {
      const members = await this.#redis.zrangebyscore(queueKeys.expiry, '-inf', now, 'LIMIT', 0, EXPIRE_AT_ONCE);
      for (const member of members) {
        const [d, e] = member.split('/');
        if (d && e) this.#forget(d as DeviceId, e as EnvelopeId);
        else await this.#redis.zrem(queueKeys.expiry, member);
      }
      this.#totalQueued = await this.#redis.zcard(queueKeys.expiry);
    } catch (error) {
      this.log.error({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'queue expiry failed');
    }
  }

  /** Writes every held envelope now. */
  flush(): void {
    for (const { timer, write } of [...this.#held.values()]) {
      clearTimeout(timer);
      write();
    }
  }

  /** Held envelopes are written before the connection to Redis is closed. */
  close(): void {
    this.flush();
  }

  // ---- devices connected to this node (their mirrors) ----

  /** The device attached here: keep a mirror (call `load` right after claiming its presence). */
  track(deviceId: DeviceId): void {
    this.#mirrors.track(deviceId);
  }

  isTracked(deviceId: DeviceId): boolean {
    return this.#mirrors.isTracked(deviceId);
  }

  untrack(deviceId: DeviceId): void {
    this.#mirrors.untrack(deviceId);
  }

  tracked(): Iterable<DeviceId> {
    return this.#mirrors.tracked();
  }

  /**
   * Redis came back (its pub/sub may have dropped envelopes meanwhile): read every attached
   * device's stream again from the start; ids already known or acked are skipped.
   */
  reloadAll(): void {
    this.#mirrors.reloadAll();
  }

  /** Reads the device's stream into its mirror, then hands what is new to its connection. */
  load(deviceId: DeviceId): Promise<void> {
    return this.#mirrors.load(deviceId);
  }

  /** Another node published an envelope for a device it believes is connected here. */
  deliverRemote(message: EnvelopeMessage): void {
    this.#mirrors.deliverRemote(message);
  }

  #settle(key: string, how: Settlement): void {
    const settles = this.#waiting.get(key);
    if (!settles) return;
    this.#waiting.delete(key);
    for (const settle of settles) settle(how);
  }

  #forget(deviceId: DeviceId, envelopeId: EnvelopeId): void {
    ACK.run(this.#redis, [queueKeys.stream(deviceId), queueKeys.index(deviceId), queueKeys.expiry], [envelopeId, `${deviceId}/${envelopeId}`]).then(
      (total) => this.#noteTotal(total),
      (error: unknown) => this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'queue ack failed'),
    );
  }

  /** Scripts answer with the number queued on all nodes (for /health). */
  #noteTotal(total: unknown): void {
    if (typeof total === 'number') this.#totalQueued = total;
  }
}
