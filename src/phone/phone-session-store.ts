/**
 * The companion phone's SessionStore: plain maps that can be written to the phone's state file
 * and read back, so the CLI keeps its sessions across runs.
 */
import type { Clock } from '../shared/clock';
import { systemClock } from '../shared/clock';
import { SEEN_ENVELOPE_IDS_MAX } from '../shared/limits';
import type { EnvelopeId } from '../shared/protocol/ids';
import type { PrekeySecret } from '../shared/protocol/prekeys';
import type { ReceivedCommit, RemoteDevice, SessionStore } from '../shared/protocol/session-store';

export interface SessionStoreSnapshot {
  readonly sessions: Record<string, Uint8Array>;
  readonly signedPrekeys: Record<string, Uint8Array>;
  readonly oneTimePrekeys: Record<string, Uint8Array>;
  readonly seen: Record<string, number>;
}

const peerKey = (p: RemoteDevice) => `${p.accountId}/${p.deviceId}`;

export class PhoneSessionStore implements SessionStore {
  readonly #sessions: Map<string, Uint8Array>;
  readonly #signedPrekeys: Map<number, Uint8Array>;
  readonly #oneTimePrekeys: Map<number, Uint8Array>;
  readonly #seen: Map<EnvelopeId, number>;
  readonly #clock: Clock;
  /** Called after every change, so the owner can persist. */
  onChange: () => void = () => undefined;

  constructor(snapshot?: SessionStoreSnapshot, clock: Clock = systemClock) {
    this.#clock = clock;
    this.#sessions = new Map(Object.entries(snapshot?.sessions ?? {}));
    this.#signedPrekeys = new Map(Object.entries(snapshot?.signedPrekeys ?? {}).map(([k, v]) => [Number(k), v]));
    this.#oneTimePrekeys = new Map(Object.entries(snapshot?.oneTimePrekeys ?? {}).map(([k, v]) => [Number(k), v]));
    this.#seen = new Map(Object.entries(snapshot?.seen ?? {}).map(([k, v]) => [k as EnvelopeId, v]));
  }

  snapshot(): SessionStoreSnapshot {
    const num = <T>(m: Map<number, T>) => Object.fromEntries([...m].map(([k, v]) => [String(k), v]));
    return {
      sessions: Object.fromEntries(this.#sessions),
      signedPrekeys: num(this.#signedPrekeys),
      oneTimePrekeys: num(this.#oneTimePrekeys),
      seen: Object.fromEntries(this.#seen),
    };
  }

  addSignedPrekey(secret: PrekeySecret): void {
    this.#signedPrekeys.set(secret.id, secret.secretKey);
    this.onChange();
  }
  addOneTimePrekeys(secrets: readonly PrekeySecret[]): void {
    for (const s of secrets) this.#oneTimePrekeys.set(s.id, s.secretKey);
    this.onChange();
  }
  get oneTimePrekeyCount(): number {
    return this.#oneTimePrekeys.size;
  }

  loadSession(peer: RemoteDevice): Uint8Array | undefined {
    return this.#sessions.get(peerKey(peer));
  }
  saveSession(peer: RemoteDevice, record: Uint8Array): void {
    this.#sessions.set(peerKey(peer), record);
    this.onChange();
  }
  deleteSession(peer: RemoteDevice): void {
    this.#sessions.delete(peerKey(peer));
    this.onChange();
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
    if (this.#seen.size > SEEN_ENVELOPE_IDS_MAX) {
      const now = this.#clock.now();
      for (const [id, expiresAt] of this.#seen) if (expiresAt < now || this.#seen.size > SEEN_ENVELOPE_IDS_MAX) this.#seen.delete(id);
    }
    this.onChange();
  }
}
