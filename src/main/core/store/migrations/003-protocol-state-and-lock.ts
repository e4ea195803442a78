import type { Migration } from './migration';

/**
 * Opaque protocol state (ratchet sessions, one-time prekey private parts), processed envelope ids
 * for replay protection, and the PIN lock. Also moves any PIN-lock counters an early build kept in
 * `settings` (keys 'lock.failedTries', 'lock.lockedUntil') into the lock_state row, so an upgrade
 * never resets a running lockout.
 */
export const protocolStateAndLock: Migration = {
  version: 3,
  name: 'protocol-state-and-lock',
  up(db) {
    db.exec(`
      CREATE TABLE ratchet_sessions (
        peer_account_id TEXT NOT NULL,
        peer_device_id TEXT NOT NULL,
        state BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (peer_account_id, peer_device_id)
      ) STRICT;

      CREATE TABLE one_time_prekeys (
        key_id INTEGER PRIMARY KEY,
        private_part BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE processed_envelopes (
        envelope_id TEXT PRIMARY KEY,
        processed_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX processed_envelopes_expiry ON processed_envelopes (expires_at);

      CREATE TABLE lock_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pin_hash BLOB,
        pin_salt BLOB,
        pin_params TEXT,
        failed_tries INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      INSERT INTO lock_state (id, failed_tries, locked_until)
        VALUES (
          1,
          coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'lock.failedTries'), 0),
          coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'lock.lockedUntil'), 0)
        );
      DELETE FROM settings WHERE key IN ('lock.failedTries', 'lock.lockedUntil');
    `);
  },
};
