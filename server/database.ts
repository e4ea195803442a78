/**
 * The relay's embedded store: one SQLite file in plain mode (the relay only ever holds
 * ciphertext, signed public data and ids), WAL, numbered migrations in PRAGMA user_version.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';

export type RelayDatabase = Database.Database;
export type Synchronous = 'full' | 'normal';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    identity_key BLOB NOT NULL,
    version INTEGER NOT NULL,
    list BLOB NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('phone', 'desktop')),
    signing_key BLOB NOT NULL,
    authorised_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'expired'))
  ) STRICT;
  CREATE INDEX devices_by_account ON devices (account_id);
  CREATE TABLE signed_prekeys (device_id TEXT PRIMARY KEY, prekey BLOB NOT NULL) STRICT;
  CREATE TABLE one_time_prekeys (
    device_id TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    key BLOB NOT NULL,
    PRIMARY KEY (device_id, key_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE attestations (
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (account_id, name)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE wipes (
    device_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    command BLOB NOT NULL,
    stored_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE envelopes (
    seq INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    envelope_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    envelope BLOB NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX envelopes_by_device ON envelopes (device_id, envelope_id);
  CREATE INDEX envelopes_in_order ON envelopes (device_id, seq);
  CREATE INDEX envelopes_by_expiry ON envelopes (expires_at);
  `,
  // Blob store (server/blob-store.ts): ciphertext lives in files, this is the index.
  `
  CREATE TABLE blobs (
    blob_id TEXT PRIMARY KEY,
    owner_device TEXT NOT NULL,
    size INTEGER NOT NULL,
    received INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX blobs_by_owner ON blobs (owner_device);
  CREATE INDEX blobs_by_expiry ON blobs (expires_at);
  `,
  // Discoverable groups (server/group-listings.ts): signed listings, searchable by folded name and description.
  `
  CREATE TABLE group_listings (
    group_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    approvers TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    listing BLOB NOT NULL
  ) STRICT;
  CREATE INDEX group_listings_by_account ON group_listings (account_id);
  `,
];

export function openRelayDatabase(dataDir: string, synchronous: Synchronous): RelayDatabase {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'relay.sqlite'));
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL already survives a process crash (kill -9); FULL also survives power loss.
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: RelayDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
