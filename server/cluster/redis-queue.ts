/**
 * The durable per-device queue in Redis: a stream per device (`wl:q:D`, fields e/x/b), an index
 * from envelope id to stream entry (`wl:qi:D`, for duplicates and acks) and one expiry index
 * (`wl:qexp`). A sender is settled 'stored' once the append script returned (the envelope is in
 * Redis, as durable as its persistence setting makes it) or 'delivered' once the recipient acked.
 *
 * As on one node, an envelope for a recipient connected here waits the grace period in memory
 * first (`holdMs`), and is never written if acked meanwhile; its sender is settled 'delivered'.
 *
 * For devices connected to this node the queue keeps a mirror in memory, so delivery (which pages
 * synchronously) never waits on Redis: it is filled from the stream when the device attaches (in
 * chunks), by this node's own sends and by envelopes other nodes publish here. Envelope ids
 * deduplicate the three sources; acked ids are remembered while the device stays attached so an
 * envelope that arrives twice is still delivered once.
 */
import type { Redis } from 'ioredis';
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';
import type { Logger } from '../logging';
import type { EnqueueResult, EnvelopeQueue, QueuedEnvelope, Settlement } from '../stores/envelope-queue';
import { encodeClusterMessage, type EnvelopeMessage } from './cluster-messages';
import { ACK, DROP, ENQUEUE } from './redis-queue-scripts';
import { replyArray, replyText, type RedisLink } from './redis-link';

export const queueKeys = {
  stream: (d: DeviceId) => `wl:q:${d}`,
  index: (d: DeviceId) => `wl:qi:${d}`,
  expiry: 'wl:qexp',
  presence: (d: DeviceId) => `wl:at:${d}`,
} as const;

const LOAD_CHUNK = 256;
const ACKED_WINDOW = 4096;
const EXPIRE_AT_ONCE = 500;
const MAX_ENVELOPE_BYTES = 300 * 1024;
const ID = /^[0-9a-f]{32}$/;

interface Mirror {
  loaded: boolean;
  loading: boolean;
  /** More entries wait in the stream after `lastStreamId`. */
  more: boolean;
  lastStreamId: string;
  readonly entries: Map<EnvelopeId, QueuedEnvelope>;
  readonly acked: Set<EnvelopeId>;
  /** Published to this node before the first load finished. */
  readonly early: EnvelopeMessage[];
}

export interface QueueDelivery {
  /** Hands a newly known envelope to the device's connection here, if any. */
  offer(entry: QueuedEnvelope): void;
}

export class RedisQueue implements EnvelopeQueue {
  readonly #mirrors = new Map<DeviceId, Mirror>();
  /** Senders on this node waiting for their envelope to be durable or acked, by device + envelope id. */
  readonly #waiting = new Map<string, ((how: Settlement) => void)[]>();
  /** Envelopes for recipients connected here, kept from Redis for the grace period (they may be acked first). */
  readonly #held = new Map<string, { readonly timer: NodeJS.Timeout; readonly write: () => void }>();
  #seq = 0;
  #inflight = 0;
  #totalQueued = 0;
  delivery: QueueDelivery | undefined;
  readonly #redis: Redis;

  constructor(
    private readonly link: RedisLink,
    private readonly maxPerDevice: number,
    private readonly log: Logger,
  ) {
    this.#redis = link.commands;
  }

  count(deviceId: DeviceId): number {
    return this.#mirrors.get(deviceId)?.entries.size ?? 0;
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
    const entry = mirror ? this.#add(mirror, deviceId, envelopeId, expiresAt, bytes) : undefined;
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
    const mirror = this.#mirrors.get(deviceId);
    if (mirror) {
      mirror.entries.delete(envelopeId);
      mirror.acked.add(envelopeId);
      // Only recent ids can still arrive twice (a publish racing a load): keep a window of them.
      if (mirror.acked.size > ACKED_WINDOW) mirror.acked.delete(mirror.acked.values().next().value!);
      // The next chunk of a long queue is read once the device has worked through most of this one.
      if (mirror.more && mirror.loaded && mirror.entries.size < LOAD_CHUNK / 2) void this.#load(deviceId, mirror);
    }
    this.#settle(deviceId + envelopeId, 'delivered');
    this.#forget(deviceId, envelopeId);
  }

  page(deviceId: DeviceId, afterSeq: number, limit: number): QueuedEnvelope[] {
    const mirror = this.#mirrors.get(deviceId);
    if (!mirror?.loaded) return [];
    const out: QueuedEnvelope[] = [];
    for (const entry of mirror.entries.values()) {
      if (entry.seq <= afterSeq) continue;
      out.push(entry);
      if (out.length >= limit) break;
    }
    if (out.length < limit && mirror.more) void this.#load(deviceId, mirror);
    return out;
  }

  dropDevice(deviceId: DeviceId): void {
    for (const [key, settles] of this.#waiting) {
      if (!key.startsWith(deviceId)) continue;
      this.#waiting.delete(key);
      for (const settle of settles) settle('stored');
    }
    const mirror = this.#mirrors.get(deviceId);
    mirror?.entries.clear();
    DROP.run(this.#redis, [queueKeys.stream(deviceId), queueKeys.index(deviceId), queueKeys.expiry], [deviceId]).then(
      (total) => this.#noteTotal(total),
      (error: unknown) => this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'queue drop failed'),
    );
  }

  /** Starts removing expired envelopes from Redis (every node may run it; each step is idempotent). */
  expire(now: number): number {
    let removed = 0;
    for (const mirror of this.#mirrors.values()) {
      for (const [id, entry] of mirror.entries) {
        if (entry.expiresAt > now) continue;
        mirror.entries.delete(id);
        removed++;
      }
    }
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

  // ---- devices connected to this node ----

  /** The device attached here: keep a mirror (call `load` right after claiming its presence). */
  track(deviceId: DeviceId): void {
    if (!this.#mirrors.has(deviceId)) {
      this.#mirrors.set(deviceId, { loaded: false, loading: false, more: true, lastStreamId: '-', entries: new Map(), acked: new Set(), early: [] });
    }
  }

  isTracked(deviceId: DeviceId): boolean {
    return this.#mirrors.has(deviceId);
  }

  untrack(deviceId: DeviceId): void {
    this.#mirrors.delete(deviceId);
  }

  tracked(): Iterable<DeviceId> {
    return this.#mirrors.keys();
  }

  /**
   * Redis came back (its pub/sub may have dropped envelopes meanwhile): read every attached
   * device's stream again from the start; ids already known or acked are skipped.
   */
  reloadAll(): void {
    for (const [deviceId, mirror] of this.#mirrors) {
      mirror.lastStreamId = '-';
      mirror.more = true;
      void this.#load(deviceId, mirror);
    }
  }

  /** Reads the device's stream into its mirror, then hands what is new to its connection. */
  load(deviceId: DeviceId): Promise<void> {
    const mirror = this.#mirrors.get(deviceId);
    return mirror ? this.#load(deviceId, mirror) : Promise.resolve();
  }

  /** Another node published an envelope for a device it believes is connected here. */
  deliverRemote(message: EnvelopeMessage): void {
    const mirror = this.#mirrors.get(message.d);
    // Not (or no longer) here: the envelope is in the stream, loaded when the device attaches.
    if (!mirror) return;
    if (!mirror.loaded) {
      mirror.early.push(message);
      return;
    }
    if (mirror.entries.has(message.e) || mirror.acked.has(message.e)) return;
    this.delivery?.offer(this.#add(mirror, message.d, message.e, message.x, message.b));
  }

  async #load(deviceId: DeviceId, mirror: Mirror): Promise<void> {
    if (mirror.loading) return;
    mirror.loading = true;
    const fresh: QueuedEnvelope[] = [];
    try {
      const start = mirror.lastStreamId === '-' ? '-' : `(${mirror.lastStreamId}`;
      const rows = await this.#redis.xrangeBuffer(queueKeys.stream(deviceId), start, '+', 'COUNT', LOAD_CHUNK);
      if (this.#mirrors.get(deviceId) !== mirror) return;
      for (const [rawId, fields] of rows) {
        const streamId = rawId.toString();
        mirror.lastStreamId = streamId;
        const parsed = parseStreamEntry(fields);
        if (!parsed) {
          this.log.error({ device: deviceId, code: 'STORE_CORRUPT' }, 'unreadable queue entry removed');
          await this.#redis.xdel(queueKeys.stream(deviceId), streamId);
          continue;
        }
        if (mirror.entries.has(parsed.e) || mirror.acked.has(parsed.e)) continue;
        fresh.push(this.#add(mirror, deviceId, parsed.e, parsed.x, parsed.b));
      }
      mirror.more = rows.length === LOAD_CHUNK;
    } catch (error) {
      this.log.error({ device: deviceId, code: 'STORE_UNAVAILABLE', err: String(error) }, 'queue load failed');
      mirror.loading = false;
      return;
    }
    mirror.loading = false;
    if (!mirror.loaded) {
      mirror.loaded = true;
      for (const m of mirror.early.splice(0)) {
        if (!mirror.entries.has(m.e) && !mirror.acked.has(m.e)) fresh.push(this.#add(mirror, deviceId, m.e, m.x, m.b));
      }
    }
    for (const entry of fresh) this.delivery?.offer(entry);
  }

  #add(mirror: Mirror, deviceId: DeviceId, envelopeId: EnvelopeId, expiresAt: number, bytes: Uint8Array): QueuedEnvelope {
    const entry: QueuedEnvelope = { seq: ++this.#seq, deviceId, envelopeId, expiresAt, bytes };
    mirror.entries.set(envelopeId, entry);
    return entry;
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

/** A stream entry as this relay writes it (e, x, b), or undefined for anything else. */
function parseStreamEntry(fields: readonly Buffer[]): { e: EnvelopeId; x: number; b: Uint8Array } | undefined {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const e = map.get('e')?.toString();
  const x = Number(map.get('x')?.toString());
  const b = map.get('b');
  if (!e || !ID.test(e) || !Number.isSafeInteger(x) || !b || b.length === 0 || b.length > MAX_ENVELOPE_BYTES) return undefined;
  return { e: e as EnvelopeId, x, b: new Uint8Array(b) };
}

