import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/clock';
import type { AccountId } from '../../../../shared/protocol/ids';
import { openAccountStore, openStoreDatabase } from '../account-store';
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS, schemaVersion } from './migrate';

const dirs: string[] = [];
const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function databaseAt(version: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-migrate-'));
  dirs.push(dataDir);
  const options = { dataDir, accountId: randomBytes(16).toString('hex') as AccountId, key: new Uint8Array(randomBytes(32)) };
  const { db } = openStoreDatabase(options);
  open.push(db);
  migrate(db, version);
  expect(schemaVersion(db)).toBe(version);
  return { db, options };
}

/** Rows as an old build wrote them, with plain SQL against the version-1 schema (not today's API). */
function plantVersion1Rows(db: Database): void {
  db.prepare(`INSERT INTO conversations (id, kind, peer_account_id, created_at, last_activity_at) VALUES ('c1', 'direct', 'peer', 1, 5)`).run();
  const insert = db.prepare(`
    INSERT INTO messages (id, conversation_id, sender_account_id, direction, body, sent_at, state, expires_at)
    VALUES (?, 'c1', 'peer', 'in', ?, ?, 'delivered', ?)`);
  insert.run('old-1', 'Haemoglobin result for bed seven', 2, 99);
  insert.run('old-2', 'Discharge letter ready', 3, 99);
  db.prepare(`INSERT INTO contacts (account_id, display_name, identity_key, updated_at) VALUES ('peer', 'Dr Old', ?, 1)`).run(Buffer.alloc(32, 7));
}

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('1 creates STRICT tables that reject wrongly typed values', () => {
    const { db } = databaseAt(1);
    plantVersion1Rows(db);
    expect(() => db.prepare(`UPDATE messages SET sent_at = 'yesterday' WHERE id = 'old-1'`).run()).toThrow(/cannot store TEXT/);
    expect(() => db.prepare(`UPDATE messages SET state = 'lost' WHERE id = 'old-1'`).run()).toThrow(/CHECK constraint/);
  });

  it('1 → 2 indexes messages that already exist for full-text search', () => {
    const { db, options } = databaseAt(1);
    plantVersion1Rows(db);
    expect(migrate(db, 2)).toEqual([2]);
    expect(db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'haemoglobin'`).all()).toHaveLength(1);
    db.close();
    const store = openAccountStore({ ...options, clock: new FakeClock() });
    expect(store.search.search('discharge').map((h) => h.messageId)).toEqual(['old-2']);
    store.close();
  });

  it('2 → 3 keeps old rows and moves lock counters from settings into lock_state', () => {
    const { db, options } = databaseAt(2);
    plantVersion1Rows(db);
    db.prepare(`INSERT INTO settings (key, value) VALUES ('lock.failedTries', '2'), ('lock.lockedUntil', '12345'), ('theme', 'dark')`).run();
    expect(migrate(db, 3)).toEqual([3]);
    expect(db.prepare('SELECT failed_tries, locked_until, pin_hash FROM lock_state').all()).toEqual([
      { failed_tries: 2, locked_until: 12345, pin_hash: null },
    ]);
    db.close();
    const store = openAccountStore({ ...options, clock: new FakeClock() });
    expect(store.settings.get('lock.failedTries')).toBeNull();
    expect(store.settings.get('theme')).toBe('dark');
    expect(store.messages.get('old-1')?.body).toBe('Haemoglobin result for bed seven');
    expect(store.contacts.get('peer')?.displayName).toBe('Dr Old');
    expect(store.protocolState.markEnvelopeProcessed('e1', 10)).toBe(true);
    store.close();
  });

  it('2 → 3 on a store without old counters starts the lock at zero', () => {
    const { db } = databaseAt(2);
    migrate(db, 3);
    expect(db.prepare('SELECT failed_tries, locked_until FROM lock_state').get()).toEqual({ failed_tries: 0, locked_until: 0 });
  });

  it('3 → 4 keeps protocol state and adds signed prekeys', () => {
    const { db, options } = databaseAt(3);
    plantVersion1Rows(db);
    db.prepare(`INSERT INTO ratchet_sessions (peer_account_id, peer_device_id, state, updated_at) VALUES ('peer', 'dev', x'0102', 1)`).run();
    db.prepare(`INSERT INTO one_time_prekeys (key_id, private_part, created_at) VALUES (5, x'05', 1)`).run();
    expect(migrate(db, 4)).toEqual([4]);
    db.prepare(`INSERT INTO signed_prekeys (key_id, secret, created_at) VALUES (1, x'09', 1)`).run();
    db.close();
    const store = openAccountStore({ ...options, clock: new FakeClock() });
    expect(store.protocolState.getSession('peer', 'dev')).toEqual(new Uint8Array([1, 2]));
    expect(store.protocolState.takeOneTimePrekey(5)).toEqual(new Uint8Array([5]));
    expect(store.messages.get('old-2')?.body).toBe('Discharge letter ready');
    store.close();
  });

  it('a failing migration rolls back completely and reports MIGRATION_FAILED', () => {
    const { db } = databaseAt(2);
    // A stray table with a name migration 3 creates late makes it fail halfway.
    db.exec('CREATE TABLE processed_envelopes (x TEXT) STRICT');
    expect(() => migrate(db)).toThrow(expect.objectContaining({ code: 'MIGRATION_FAILED' }));
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('ratchet_sessions', 'one_time_prekeys')`).all()).toEqual([]);
  });

  it('running again on an up-to-date store does nothing', () => {
    const { db } = databaseAt(LATEST_SCHEMA_VERSION);
    expect(migrate(db)).toEqual([]);
  });
});
