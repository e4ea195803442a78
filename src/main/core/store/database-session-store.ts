import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import { SEEN_ENVELOPE_IDS_MAX } from '../../../shared/limits';
import type { EnvelopeId } from '../../../shared/protocol/ids';
import type { PrekeySecret } from '../../../shared/protocol/prekeys';
import type { ReceivedCommit, RemoteDevice, SessionStore } from '../../../shared/protocol/session-store';

/**
 * The protocol layer's SessionStore on the encrypted database: ratchet session records, own
 * prekey secrets and processed envelope ids all live in SQLCipher pages, and one decrypt's changes
 * commit in one transaction. Same extra methods as InMemorySessionStore, so either can be used.
 */
export class DatabaseSessionStore implements SessionStore {
  readonly #clock: Clock;
  readonly #maxSeen: number;
  readonly #s;
  readonly #commit;
  readonly #addOneTime;

  constructor(db: Database, clock: Clock, options: { maxSeenEnvelopes?: number } = {}) {
    this.#clock = clock;
    this.#maxSeen = options.maxSeenEnvelopes ?? SEEN_ENVELOPE_IDS_MAX;
    this.#s = {
      loadSession: db.prepare<[string, string], { state: Buffer }>('SELECT state FROM ratchet_sessions WHERE peer_account_id = ? AND peer_device_id = ?'),
      saveSession: db.prepare(`
        INSERT INTO ratchet_sessions (peer_account_id, peer_device_id, state, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (peer_account_id, peer_device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      deleteSession: db.prepare('DELETE FROM ratchet_sessions WHERE peer_account_id = ? AND peer_device_id = ?'),
      addSigned: db.prepare('INSERT OR REPLACE INTO signed_prekeys (key_id, secret, created_at) VALUES (?, ?, ?)'),
      removeSigned: db.prepare('DELETE FROM signed_prekeys WHERE key_id = ?'),
      loadSigned: db.prepare<[number], { secret: Buffer }>('SELECT secret FROM signed_prekeys WHERE key_id = ?'),
      addOneTime: db.prepare('INSERT OR REPLACE INTO one_time_prekeys (key_id, private_part, created_at) VALUES (?, ?, ?)'),
      loadOneTime: db.prepare<[number], { private_part: Buffer }>('SELECT private_part FROM one_time_prekeys WHERE key_id = ?'),
      deleteOneTime: db.prepare('DELETE FROM one_time_prekeys WHERE key_id = ?'),
      countOneTime: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM one_time_prekeys'),
      seen: db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM processed_envelopes WHERE envelope_id = ? AND expires_at >= ?'),
      markSeen: db.prepare(`
        INSERT INTO processed_envelopes (envelope_id, processed_at, expires_at) VALUES (?, ?, ?)
        ON CONFLICT (envelope_id) DO UPDATE SET processed_at = excluded.processed_at, expires_at = excluded.expires_at`),
      countSeen: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM processed_envelopes'),
      expireSeen: db.prepare('DELETE FROM processed_envelopes WHERE expires_at < ?'),
      trimSeen: db.prepare(`
        DELETE FROM processed_envelopes WHERE envelope_id IN (
          SELECT envelope_id FROM processed_envelopes ORDER BY processed_at DESC, rowid DESC LIMIT -1 OFFSET ?)`),
    };
    const s = this.#s;
    this.#commit = db.transaction((change: ReceivedCommit) => {
      const now = this.#clock.now();
      s.saveSession.run(change.peer.accountId, change.peer.deviceId, change.record, now);
      if (change.consumedOneTimePrekeyId !== undefined) s.deleteOneTime.run(change.consumedOneTimePrekeyId);
      s.markSeen.run(change.envelopeId, now, change.expiresAt);
      if (s.countSeen.get()!.n > this.#maxSeen) {
        // Expired ids are useless (their envelopes are refused as EXPIRED); past the cap the oldest go.
        s.expireSeen.run(now);
        s.trimSeen.run(this.#maxSeen);
      }
    });
    this.#addOneTime = db.transaction((secrets: readonly PrekeySecret[]) => {
      const now = this.#clock.now();
      for (const secret of secrets) s.addOneTime.run(secret.id, secret.secretKey, now);
    });
  }

  addSignedPrekey(secret: PrekeySecret): void {
    this.#s.addSigned.run(secret.id, secret.secretKey, this.#clock.now());
  }
  removeSignedPrekey(id: number): void {
    this.#s.removeSigned.run(id);
  }
  addOneTimePrekeys(secrets: readonly PrekeySecret[]): void {
    this.#addOneTime(secrets);
  }
  get oneTimePrekeyCount(): number {
    return this.#s.countOneTime.get()!.n;
  }
  get seenEnvelopeCount(): number {
    return this.#s.countSeen.get()!.n;
  }

  loadSession(peer: RemoteDevice): Uint8Array | undefined {
    const row = this.#s.loadSession.get(peer.accountId, peer.deviceId);
    return row ? new Uint8Array(row.state) : undefined;
  }
  saveSession(peer: RemoteDevice, record: Uint8Array): void {
    this.#s.saveSession.run(peer.accountId, peer.deviceId, record, this.#clock.now());
  }
  deleteSession(peer: RemoteDevice): void {
    this.#s.deleteSession.run(peer.accountId, peer.deviceId);
  }
  loadSignedPrekey(id: number): Uint8Array | undefined {
    const row = this.#s.loadSigned.get(id);
    return row ? new Uint8Array(row.secret) : undefined;
  }
  loadOneTimePrekey(id: number): Uint8Array | undefined {
    const row = this.#s.loadOneTime.get(id);
    return row ? new Uint8Array(row.private_part) : undefined;
  }
  hasSeenEnvelope(id: EnvelopeId): boolean {
    return this.#s.seen.get(id, this.#clock.now()) !== undefined;
  }
  commitReceived(change: ReceivedCommit): void {
    this.#commit(change);
  }
}
