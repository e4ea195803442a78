/**
 * Routing: which devices are online, and what happens to an envelope a device sends. The relay
 * reads only the envelope's recipient, id and times; the ciphertext is passed on unchanged.
 */
import type { Clock } from '../src/shared/clock';
import { ProtocolError } from '../src/shared/errors';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import { decodeSealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { CLOSE_CODES, type CloseCode } from '../src/shared/wire/close-codes';
import { RelayError } from '../src/shared/wire/relay-error';
import { DeviceLink } from './device-link';
import type { DeviceRecord, Directory } from './directory';
import type { OfflineQueue, Settlement } from './offline-queue';
import type { Peer } from './peer';
import type { Sessions } from './sessions';

export class Router {
  readonly #online = new Map<DeviceId, DeviceLink>();

  constructor(
    private readonly directory: Directory,
    private readonly queue: OfflineQueue,
    private readonly sessions: Sessions,
    private readonly clock: Clock,
    private readonly retentionMs: number,
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
    const link = new DeviceLink(device, peer, this.queue, this.clock);
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
    let envelope;
    try {
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
    const { result, entry } = this.queue.enqueue(device.deviceId, envelope.id, expiresAt, bytes, settle);
    if (result === 'full') throw new RelayError('QUEUE_FULL');
    if (entry) this.#online.get(device.deviceId)?.offer(entry);
  }

  ack(link: DeviceLink, envelopeId: EnvelopeId): void {
    link.ack(envelopeId);
  }
}
