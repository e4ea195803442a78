/**
 * Routing: which devices are online, and what happens to an envelope a device sends. The relay
 * reads only the envelope's recipient, id and times; the ciphertext is passed on unchanged.
 */
import type { Clock } from '../src/shared/clock';
import { ProtocolError } from '../src/shared/errors';
import { RELAY_ONLINE_GRACE_MAX_MS } from '../src/shared/limits';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import { decodeSealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { CLOSE_CODES, type CloseCode } from '../src/shared/wire/close-codes';
import { RelayError } from '../src/shared/wire/relay-error';
import { DeviceLink } from './device-link';
import { decodeHotEnvelope } from './hot-decoding';
import type { DeviceRecord, Directory } from './directory';
import type { OfflineQueue, Settlement } from './offline-queue';
import type { Peer } from './peer';
import type { Sessions } from './sessions';

export class Router {
  readonly #online = new Map<DeviceId, DeviceLink>();
  /** Recent delivery-to-ack delay (moving average, ms). */
  #ackDelayMs = 0;
  readonly #noteAckDelay = (ms: number) => {
    this.#ackDelayMs += (ms - this.#ackDelayMs) / 64;
  };

  constructor(
    private readonly directory: Directory,
    private readonly queue: OfflineQueue,
    private readonly sessions: Sessions,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    /** How long an envelope for an online recipient waits in memory for its ack before it is written. */
    private readonly onlineGraceMs = 0,
  ) {}

  get onlineCount(): number {
    return this.#online.size;
  }

  link(deviceId: DeviceId): DeviceLink | undefined {
    return this.#online.get(deviceId);
  }

  /** The device is authenticated on `peer`; an older connection of the same device is closed. */
  attach(device: DeviceRecord, peer: Peer): DeviceLink {
    const older = this.#online.get(device.deviceId);
    if (older && older.peer !== peer) older.peer.close(CLOSE_CODES.REPLACED);
    const link = new DeviceLink(device, peer, this.queue, this.clock, this.#noteAckDelay);
    this.#online.set(device.deviceId, link);
    link.pump();
    return link;
  }

  detach(link: DeviceLink): void {
    if (this.#online.get(link.deviceId) === link) this.#online.delete(link.deviceId);
  }

  /** Closes a device's connection, if any (revocation, session end). */
  disconnect(deviceId: DeviceId, code: CloseCode): void {
    const link = this.#online.get(deviceId);
    if (!link) return;
    this.#online.delete(deviceId);
    link.peer.close(code);
  }

  /**
   * Accepts an envelope; `settle` runs once it is durable or the recipient acked it. Throws
   * RelayError for envelopes the relay refuses.
   */
  route(bytes: Uint8Array, settle: (how: Settlement) => void): void {
    let envelope = decodeHotEnvelope(bytes);
    if (!envelope) try {
      envelope = decodeSealedEnvelope(bytes);
    } catch (e) {
      throw new RelayError(e instanceof ProtocolError && e.code === 'UNSUPPORTED_VERSION' ? 'UNSUPPORTED_VERSION' : 'MALFORMED');
    }
    const now = this.clock.now();
    const device = this.directory.device(envelope.to);
    if (!device) throw new RelayError('UNKNOWN_DEVICE');
    if (device.state === 'revoked') throw new RelayError('REVOKED');
    if (this.sessions.checkExpiry(device, now)) throw new RelayError('SESSION_EXPIRED');
    if (envelope.expiresAt <= now) throw new RelayError('EXPIRED');
    const expiresAt = Math.min(envelope.expiresAt, now + this.retentionMs);
    const link = this.#online.get(device.deviceId);
    const hold = link ? this.holdMs : 0;
    const { result, entry } = this.queue.enqueue(device.deviceId, envelope.id, expiresAt, bytes, settle, hold);
    if (result === 'full') throw new RelayError('QUEUE_FULL');
    if (entry) link?.offer(entry);
  }

  /**
   * How long an envelope for an online recipient stays in memory only. Under load acks take
   * longer (the whole relay is queueing); writing every envelope then would add disk work
   * exactly when there is no time for it, so the grace period follows the recent ack delay
   * (four times its average, which covers the tail of a roughly exponential delay).
   * It only delays the sender's 'stored'; nothing unacknowledged to a sender is at risk.
   */
  get holdMs(): number {
    if (this.onlineGraceMs === 0) return 0;
    return Math.min(RELAY_ONLINE_GRACE_MAX_MS, Math.max(this.onlineGraceMs, 4 * this.#ackDelayMs));
  }

  /** Returns how many of the ids were envelopes in flight on this link (the rest are ignored). */
  ack(link: DeviceLink, ids: EnvelopeId | readonly EnvelopeId[]): number {
    if (typeof ids === 'string') return link.ack(ids) ? 1 : 0;
    let released = 0;
    for (const id of ids) if (link.ack(id, false)) released++;
    if (released) link.pump();
    return released;
  }
}
