/**
 * Delivery to one connected device: envelopes go out in queue order, at most WINDOW unacked at a
 * time, and only while the socket's send buffer is below HIGH_WATER. A slow reader therefore
 * costs the relay a bounded amount of memory; the rest waits in the durable queue.
 */
import type { Clock } from '../src/shared/clock';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import type { DeviceRecord } from './directory';
import { encodeDeliverFrame } from './hot-frames';
import type { OfflineQueue, QueuedEnvelope } from './offline-queue';
import type { Peer } from './peer';

const WINDOW = 256;
const PAGE = 128;
const LIVE_BUFFER_MAX = 1024;
const HIGH_WATER = 512 * 1024;

export class DeviceLink {
  /** Seq of the last envelope taken from the queue into memory. */
  #cursor = 0;
  /** When true the buffer holds everything queued after the cursor, so new envelopes are appended directly. */
  #live = false;
  #buffer: QueuedEnvelope[] = [];
  #head = 0;
  /** Envelopes delivered and not yet acked, with when they were written to the socket (monotonic ms). */
  readonly #inflight = new Map<EnvelopeId, number>();
  #paused = false;

  constructor(
    readonly device: DeviceRecord,
    readonly peer: Peer,
    private readonly queue: OfflineQueue,
    private readonly clock: Clock,
    /** Told how long each ack took after its delivery (ms). */
    private readonly onAckDelay?: (ms: number) => void,
  ) {}

  get deviceId(): DeviceId {
    return this.device.deviceId;
  }

  /** A newly queued envelope for this device. */
  offer(entry: QueuedEnvelope): void {
    if (this.#live) {
      if (this.#buffer.length - this.#head < LIVE_BUFFER_MAX) this.#buffer.push(entry);
      // Too far behind: fall back to paging from the queue once the buffer drains.
      else this.#live = false;
    }
    this.pump();
  }

  /** Returns false for an id this connection was not given (nothing to forget). `refill`: pump now (off for batches). */
  ack(envelopeId: EnvelopeId, refill = true): boolean {
    const sentAt = this.#inflight.get(envelopeId);
    if (sentAt === undefined) return false;
    this.#inflight.delete(envelopeId);
    this.onAckDelay?.(performance.now() - sentAt);
    this.queue.ack(this.deviceId, envelopeId);
    if (refill) this.pump();
    return true;
  }

  pump(): void {
    const now = this.clock.now();
    while (!this.#paused && this.#inflight.size < WINDOW && this.peer.isOpen) {
      if (this.#head >= this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
        if (this.#live) return;
        const page = this.queue.page(this.deviceId, this.#cursor, PAGE);
        if (page.length < PAGE) this.#live = true;
        if (!page.length) return;
        this.#buffer = page;
      }
      const entry = this.#buffer[this.#head++]!;
      this.#cursor = entry.seq;
      if (entry.expiresAt <= now || this.#inflight.has(entry.envelopeId)) continue;
      this.#inflight.set(entry.envelopeId, performance.now());
      if (this.peer.bufferedAmount + entry.bytes.length > HIGH_WATER) {
        this.#paused = true;
        this.peer.sendEncoded(encodeDeliverFrame(entry.envelopeId, entry.bytes), () => {
          this.#paused = false;
          this.pump();
        });
      } else {
        this.peer.sendEncoded(encodeDeliverFrame(entry.envelopeId, entry.bytes));
      }
    }
  }
}
