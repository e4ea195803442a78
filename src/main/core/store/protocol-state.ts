import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import { SEEN_ENVELOPE_IDS_MAX } from '../../../shared/limits';

/**
 * The protocol layer's private state, kept as opaque blobs: the store never interprets them, it
 * only keeps them inside the encrypted database (never in a separate file).
 */
export interface ProtocolState {
  getSession(peerAccountId: string, peerDeviceId: string): Uint8Array | null;
  putSession(peerAccountId: string, peerDeviceId: string, state: Uint8Array): void;
  deleteSessions(peerAccountId: string, peerDeviceId?: string): number;
  putOneTimePrekey(keyId: number, privatePart: Uint8Array): void;
  /** Returns and deletes the private part in one step: a one-time prekey is used at most once. */
  takeOneTimePrekey(keyId: number): Uint8Array | null;
  oneTimePrekeyCount(): number;
  /**
   * Records an envelope id as processed until `expiresAt` (the envelope's own expiry, after
   * which the relay no longer delivers it). Returns false if it was already processed: a replay.
   */
  markEnvelopeProcessed(envelopeId: string, expiresAt: number): boolean;
  /**
   * Forgets processed ids whose window has passed, and the oldest beyond SEEN_ENVELOPE_IDS_MAX;
   * returns how many.
   */
  expireProcessedEnvelopes(now: number): number;
}

export function createProtocolState(db: Database, clock: Clock): ProtocolState {
  const getSession = db.prepare<[string, string], { state: Buffer }>(
    'SELECT state FROM ratchet_sessions WHERE peer_account_id = ? AND peer_device_id = ?',
  );
  const putSession = db.prepare(`
    INSERT INTO ratchet_sessions (peer_account_id, peer_device_id, state, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (peer_account_id, peer_device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
  const deleteDevice = db.prepare('DELETE FROM ratchet_sessions WHERE peer_account_id = ? AND peer_device_id = ?');
  const deleteAccount = db.prepare('DELETE FROM ratchet_sessions WHERE peer_account_id = ?');
  const putPrekey = db.prepare('INSERT OR REPLACE INTO one_time_prekeys (key_id, private_part, created_at) VALUES (?, ?, ?)');
  const takePrekey = db.prepare<[number], { private_part: Buffer }>('DELETE FROM one_time_prekeys WHERE key_id = ? RETURNING private_part');
  const countPrekeys = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM one_time_prekeys');
  const markEnvelope = db.prepare(
    'INSERT INTO processed_envelopes (envelope_id, processed_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (envelope_id) DO NOTHING',
  );
  const expireEnvelopes = db.prepare('DELETE FROM processed_envelopes WHERE expires_at <= ?');
  const trimEnvelopes = db.prepare(`
    DELETE FROM processed_envelopes WHERE envelope_id IN (
      SELECT envelope_id FROM processed_envelopes ORDER BY processed_at DESC LIMIT -1 OFFSET ?)`);
  const expireTx = db.transaction((now: number) => expireEnvelopes.run(now).changes + trimEnvelopes.run(SEEN_ENVELOPE_IDS_MAX).changes);

  return {
    getSession(peerAccountId, peerDeviceId) {
      const row = getSession.get(peerAccountId, peerDeviceId);
      return row ? new Uint8Array(row.state) : null;
    },
    putSession: (peerAccountId, peerDeviceId, state) => void putSession.run(peerAccountId, peerDeviceId, state, clock.now()),
    deleteSessions: (peerAccountId, peerDeviceId) =>
      peerDeviceId === undefined ? deleteAccount.run(peerAccountId).changes : deleteDevice.run(peerAccountId, peerDeviceId).changes,
    putOneTimePrekey: (keyId, privatePart) => void putPrekey.run(keyId, privatePart, clock.now()),
    takeOneTimePrekey(keyId) {
      const row = takePrekey.get(keyId);
      return row ? new Uint8Array(row.private_part) : null;
    },
    oneTimePrekeyCount: () => countPrekeys.get()!.n,
    markEnvelopeProcessed: (envelopeId, expiresAt) => markEnvelope.run(envelopeId, clock.now(), expiresAt).changes === 1,
    expireProcessedEnvelopes: (now) => expireTx(now),
  };
}
