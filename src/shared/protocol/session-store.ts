/**
 * What the session layer needs persisted. The desktop implements it on its encrypted
 * database; the phone and tests use InMemorySessionStore. Methods may be sync or async.
 */
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { SEEN_ENVELOPE_IDS_MAX } from '../limits';
import type { AccountId, DeviceId, EnvelopeId } from './ids';
import type { PrekeySecret } from './prekeys';

export type Awaitable<T> = T | Promise<T>;

export interface RemoteDevice {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
}

/** Everything one successful decrypt changes; a database applies it in one transaction. */
export interface ReceivedCommit {
  readonly peer: RemoteDevice;
  /** The new session record (opaque bytes). */
  readonly record: Uint8Array;
  readonly envelopeId: EnvelopeId;
  /** Remember the envelope id at least until then; later the envelope is refused as EXPIRED anyway. */
  readonly expiresAt: number;
  /** The one-time prekey this message used up: delete its secret. */
  readonly consumedOneTimePrekeyId?: number;
}

export interface SessionStore {
  loadSession(peer: RemoteDevice): Awaitable<Uint8Array | undefined>;
  saveSession(peer: RemoteDevice, record: Uint8Array): Awaitable<void>;
  deleteSession(peer: RemoteDevice): Awaitable<void>;
  /** The secret of an own signed prekey that is still accepted (current or recently replaced). */
  loadSignedPrekey(id: number): Awaitable<Uint8Array | undefined>;
  /** The secret of an own one-time prekey not yet used. */
  loadOneTimePrekey(id: number): Awaitable<Uint8Array | undefined>;
  hasSeenEnvelope(id: EnvelopeId): Awaitable<boolean>;
  commitReceived(change: ReceivedCommit): Awaitable<void>;
}

const peerKey = (p: RemoteDevice) => `${p.accountId}/${p.deviceId}`;

export class InMemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Uint8Array>();
  readonly #signedPrekeys = new Map<number, Uint8Array>();
  readonly #oneTimePrekeys = new Map<number, Uint8Array>();
  /** Envelope id → expiry; insertion order is arrival order. */
  readonly #seen = new Map<EnvelopeId, number>();
  readonly #clock: Clock;
  readonly #maxSeen: number;

  constructor(options: { clock?: Clock; maxSeenEnvelopes?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxSeen = options.maxSeenEnvelopes ?? SEEN_ENVELOPE_IDS_MAX;
  }

  addSignedPrekey(secret: PrekeySecret): void {
    this.#signedPrekeys.set(secret.id, secret.secretKey);
  }
  removeSignedPrekey(id: number): void {
    this.#signedPrekeys.delete(id);
  }
  addOneTimePrekeys(secrets: readonly PrekeySecret[]): void {
    for (const s of secrets) this.#oneTimePrekeys.set(s.id, s.secretKey);
  }
  get oneTimePrekeyCount(): number {
    return this.#oneTimePrekeys.size;
  }
  get seenEnvelopeCount(): number {
    return this.#seen.size;
  }

  loadSession(peer: RemoteDevice): Uint8Array | undefined {
    return this.#sessions.get(peerKey(peer));
  }
  saveSession(peer: RemoteDevice, record: Uint8Array): void {
    this.#sessions.set(peerKey(peer), record);
  }
  deleteSession(peer: RemoteDevice): void {
    this.#sessions.delete(peerKey(peer));
  }
  loadSignedPrekey(id: number): Uint8Array | undefined {
    return this.#signedPrekeys.get(id);
  }
  loadOneTimePrekey(id: number): Uint8Array | undefined {
    return this.#oneTimePrekeys.get(id);
  }
  hasSeenEnvelope(id: EnvelopeId): boolean {
    const expiresAt = this.#seen.get(id);
    return expiresAt !== undefined && expiresAt >= this.#clock.now();
  }

  commitReceived(change: ReceivedCommit): void {
    this.#sessions.set(peerKey(change.peer), change.record);
    if (change.consumedOneTimePrekeyId !== undefined) {
      this.#oneTimePrekeys.get(change.consumedOneTimePrekeyId)?.fill(0);
      this.#oneTimePrekeys.delete(change.consumedOneTimePrekeyId);
    }
    this.#seen.set(change.envelopeId, change.expiresAt);
    if (this.#seen.size > this.#maxSeen) this.#forgetSeen();
  }

  /**
   * Expired ids are useless (their envelopes are refused as EXPIRED); past the cap the oldest
   * go, and a replay of one of those still meets the ratchet's own REPLAY check.
   */
  #forgetSeen(): void {
    const now = this.#clock.now();
    for (const [id, expiresAt] of this.#seen) if (expiresAt < now) this.#seen.delete(id);
    for (const id of this.#seen.keys()) {
      if (this.#seen.size <= this.#maxSeen) break;
      this.#seen.delete(id);
    }
  }
}
