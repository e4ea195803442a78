/**
 * The Redis queue's copy in memory of each device connected to this node, so delivery (which
 * pages synchronously) never waits on Redis. A mirror is filled from the device's stream when it
 * attaches (in chunks), by this node's own sends and by envelopes other nodes publish here.
 * Envelope ids deduplicate the three sources; acked ids are remembered while the device stays
 * attached so an envelope that arrives twice is still delivered once.
 */
import type { Redis } from 'ioredis';
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';
import type { Logger } from '../logging';
import type { QueuedEnvelope } from '../stores/envelope-queue';
import type { EnvelopeMessage } from './cluster-messages';
import { parseStreamEntry, queueKeys } from './redis-queue-entries';

const LOAD_CHUNK = 256;
const ACKED_WINDOW = 4096;

export interface Mirror {
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

export class DeviceMirrors {
  readonly #mirrors = new Map<DeviceId, Mirror>();
  #seq = 0;
  delivery: QueueDelivery | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  get(deviceId: DeviceId): Mirror | undefined {
    return this.#mirrors.get(deviceId);
  }

  count(deviceId: DeviceId): number {
    return this.#mirrors.get(deviceId)?.entries.size ?? 0;
  }

  /** The device acked the envelope: it is delivered once, however often it arrives again. */
  acked(deviceId: DeviceId, envelopeId: EnvelopeId): void {
    const mirror = this.#mirrors.get(deviceId);
    if (!mirror) return;
    mirror.entries.delete(envelopeId);
    mirror.acked.add(envelopeId);
    // Only recent ids can still arrive twice (a publish racing a load): keep a window of them.
    if (mirror.acked.size > ACKED_WINDOW) mirror.acked.delete(mirror.acked.values().next().value!);
    // The next chunk of a long queue is read once the device has worked through most of this one.
    if (mirror.more && mirror.loaded && mirror.entries.size < LOAD_CHUNK / 2) void this.#load(deviceId, mirror);
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

  /** Drops mirrored envelopes whose expiry has passed; returns how many. */
  expire(now: number): number {
    let removed = 0;
    for (const mirror of this.#mirrors.values()) {
      for (const [id, entry] of mirror.entries) {
        if (entry.expiresAt > now) continue;
        mirror.entries.delete(id);
        removed++;
      }
    }
    return removed;
  }

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

  /** Reads every mirrored stream again from the start; ids already known or acked are skipped. */
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
    this.delivery?.offer(this.add(mirror, message.d, message.e, message.x, message.b));
  }

  /** Mirrors an envelope under the next sequence number of this node. */
  add(mirror: Mirror, deviceId: DeviceId, envelopeId: EnvelopeId, expiresAt: number, bytes: Uint8Array): QueuedEnvelope {
    const entry: QueuedEnvelope = { seq: ++this.#seq, deviceId, envelopeId, expiresAt, bytes };
    mirror.entries.set(envelopeId, entry);
    return entry;
  }

  async #load(deviceId: DeviceId, mirror: Mirror): Promise<void> {
    if (mirror.loading) return;
    mirror.loading = true;
    const fresh: QueuedEnvelope[] = [];
    try {
      const start = mirror.lastStreamId === '-' ? '-' : `(${mirror.lastStreamId}`;
      const rows = await this.redis.xrangeBuffer(queueKeys.stream(deviceId), start, '+', 'COUNT', LOAD_CHUNK);
      if (this.#mirrors.get(deviceId) !== mirror) return;
      for (const [rawId, fields] of rows) {
        const streamId = rawId.toString();
        mirror.lastStreamId = streamId;
        const parsed = parseStreamEntry(fields);
        if (!parsed) {
          this.log.error({ device: deviceId, code: 'STORE_CORRUPT' }, 'unreadable queue entry removed');
          await this.redis.xdel(queueKeys.stream(deviceId), streamId);
          continue;
        }
        if (mirror.entries.has(parsed.e) || mirror.acked.has(parsed.e)) continue;
        fresh.push(this.add(mirror, deviceId, parsed.e, parsed.x, parsed.b));
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
        if (!mirror.entries.has(m.e) && !mirror.acked.has(m.e)) fresh.push(this.add(mirror, deviceId, m.e, m.x, m.b));
      }
    }
    for (const entry of fresh) this.delivery?.offer(entry);
  }
}
