import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PageVerificationError, verifyDatabaseFile, verifyWalFile } from './sqlcipher4-page-verifier';
import { createStoreFixture, messageId, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
afterEach(() => fx.dispose());

const PLANTED = 'Verifier planted row 7f3a: creatinine 212';

function plant(): void {
  const conversationId = fx.store.conversations.ensureDirect('peer').id;
  fx.store.messages.insert({ id: messageId(), conversationId, senderAccountId: 'peer', direction: 'in', body: PLANTED, sentAt: fx.clock.now(), state: 'delivered' });
}

const containsPlanted = (pages: Map<number, Buffer>) => [...pages.values()].some((p) => p.includes(PLANTED));

describe('SQLCipher 4 page format (independent node:crypto verifier)', () => {
  it('authenticates and decrypts every page of a closed store; the planted row is in the plaintext', () => {
    fx = createStoreFixture();
    plant();
    fx.store.close();
    const file = readFileSync(fx.store.paths.dbPath);
    expect(file.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    const { pages } = verifyDatabaseFile(file, fx.key);
    expect(pages.size).toBe(file.length / 4096);
    expect(pages.get(1)!.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect(containsPlanted(pages)).toBe(true);
  });

  it('authenticates and decrypts the WAL frames of an open store (the WAL is encrypted too)', () => {
    fx = createStoreFixture();
    plant();
    const salt = readFileSync(fx.store.paths.dbPath).subarray(0, 16);
    const wal = readFileSync(`${fx.store.paths.dbPath}-wal`);
    expect(wal.includes(PLANTED)).toBe(false);
    const { pages } = verifyWalFile(wal, fx.key, salt);
    expect(pages.size).toBeGreaterThan(0);
    expect(containsPlanted(pages)).toBe(true);
  });

  it('fails HMAC verification under a wrong key', () => {
    fx = createStoreFixture();
    plant();
    fx.store.close();
    expect(() => verifyDatabaseFile(readFileSync(fx.store.paths.dbPath), new Uint8Array(randomBytes(32)))).toThrow(/HMAC mismatch/);
  });

  it('fails HMAC verification for a tampered page and for a page moved to another position', () => {
    fx = createStoreFixture();
    plant();
    fx.store.close();
    const file = readFileSync(fx.store.paths.dbPath);
    expect(file.length).toBeGreaterThanOrEqual(3 * 4096);
    const tampered = Buffer.from(file);
    tampered[4096 + 100]! ^= 1;
    expect(() => verifyDatabaseFile(tampered, fx.key)).toThrow(PageVerificationError);
    const swapped = Buffer.from(file);
    file.subarray(4096, 8192).copy(swapped, 8192);
    file.subarray(8192, 12288).copy(swapped, 4096);
    expect(() => verifyDatabaseFile(swapped, fx.key)).toThrow(/page 2: HMAC mismatch/);
  });
});
