import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountId } from '../../../shared/protocol/ids';
import { deleteAccountStore, openAccountStore } from './account-store';
import { LATEST_SCHEMA_VERSION } from './migrations/migrate';
import { StoreError } from './store-error';
import { createStoreFixture, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
afterEach(() => fx.dispose());

function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('openAccountStore', () => {
  it('creates one database per account under accounts/<accountId>/ with the hardened pragmas', () => {
    fx = createStoreFixture();
    const { db, paths } = fx.store;
    expect(paths.dbPath).toBe(`${fx.dataDir}/accounts/${fx.accountId}/wardline.db`);
    expect(existsSync(paths.dbPath)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    for (const path of [paths.dbPath, `${paths.dbPath}-wal`, paths.accountDir]) {
      expect(statSync(path).mode & 0o077, path).toBe(0);
    }
  });

  it('keeps data across a close and reopen with the same key', () => {
    fx = createStoreFixture();
    fx.store.settings.set('theme', 'dark');
    const store = fx.reopen();
    expect(store.settings.get('theme')).toBe('dark');
  });

  it('refuses a wrong key with WRONG_KEY and leaves the file untouched', () => {
    fx = createStoreFixture();
    fx.store.settings.set('theme', 'dark');
    fx.store.close();
    const before = fileHash(fx.store.paths.dbPath);
    const wrong = new Uint8Array(randomBytes(32));
    let caught: unknown;
    try {
      openAccountStore({ dataDir: fx.dataDir, accountId: fx.accountId, key: wrong, clock: fx.clock });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('WRONG_KEY');
    expect(fileHash(fx.store.paths.dbPath)).toBe(before);
    expect(fx.reopen().settings.get('theme')).toBe('dark');
  });

  it('rejects keys that are not 32 bytes and account ids that are not ids', () => {
    fx = createStoreFixture();
    const base = { dataDir: fx.dataDir, accountId: fx.accountId, clock: fx.clock };
    expect(() => openAccountStore({ ...base, key: new Uint8Array(16) })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(() => openAccountStore({ ...base, key: fx.key, accountId: '../../etc' as AccountId })).toThrow(
      expect.objectContaining({ code: 'BAD_ARGUMENT' }),
    );
  });

  it('refuses a file written by a newer schema', () => {
    fx = createStoreFixture();
    fx.store.db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => fx.reopen()).toThrow(expect.objectContaining({ code: 'NEWER_SCHEMA' }));
  });

  it('deleteAccountStore removes the database, its WAL and every blob', async () => {
    fx = createStoreFixture();
    const conv = fx.store.conversations.ensureDirect('peer');
    fx.store.messages.insert({ id: 'm1', conversationId: conv.id, senderAccountId: 'peer', direction: 'in', body: 'x', sentAt: fx.clock.now(), state: 'delivered' });
    await fx.store.attachments.add({ messageId: 'm1', fileName: 'a.txt', mimeType: 'text/plain' }, [new Uint8Array(10)]);
    fx.store.close();
    deleteAccountStore(fx.dataDir, fx.accountId);
    expect(existsSync(fx.store.paths.accountDir)).toBe(false);
  });
});
