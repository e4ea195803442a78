import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/shared/clock';
import type { DeviceId } from '../src/shared/protocol/ids';
import { RelayError } from '../src/shared/wire/relay-error';
import { BlobStore } from './blob-store';
import { openRelayDatabase, type RelayDatabase } from './database';

const ALICE = 'a'.repeat(32) as DeviceId;
const BOB = 'b'.repeat(32) as DeviceId;
const opened: RelayDatabase[] = [];

function setup(dir = mkdtempSync(join(tmpdir(), 'wardline-blobs-')), clock = new FakeClock(1_000_000)) {
  const db = openRelayDatabase(dir, 'normal');
  opened.push(db);
  const store = new BlobStore(db, dir, clock, { retentionMs: 1000, maxBlobBytes: 100, quotaBytesPerDevice: 150 });
  return { dir, clock, db, store };
}

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof RelayError ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe('relay blob store', () => {
  it('stores a blob appended in order and reads it back in ranges', () => {
    const { store } = setup();
    const id = store.create(ALICE, 10);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.put(ALICE, id, 0, new Uint8Array([1, 2, 3, 4]))).toBe(4);
    expect(code(() => store.read(id, 0, 10))).toBe('BLOB_NOT_FOUND');
    // A retried piece that already arrived is harmless.
    expect(store.put(ALICE, id, 0, new Uint8Array([1, 2, 3, 4]))).toBe(4);
    expect(store.put(ALICE, id, 4, new Uint8Array([5, 6, 7, 8, 9, 10]))).toBe(10);
    expect(store.status(id)).toEqual({ received: 10, size: 10 });
    expect([...store.read(id, 2, 3).data]).toEqual([3, 4, 5]);
    expect(store.read(id, 8, 100).data.length).toBe(2);
    expect(store.read(id, 10, 100).data.length).toBe(0);
  });

  it('refuses gaps, overflow, appends by another device and oversized blobs', () => {
    const { store } = setup();
    const id = store.create(ALICE, 10);
    expect(code(() => store.put(ALICE, id, 3, new Uint8Array(1)))).toBe('BLOB_OFFSET');
    expect(code(() => store.put(ALICE, id, 0, new Uint8Array(11)))).toBe('TOO_LARGE');
    expect(code(() => store.put(BOB, id, 0, new Uint8Array(1)))).toBe('BLOB_NOT_FOUND');
    expect(code(() => store.create(ALICE, 101))).toBe('TOO_LARGE');
    expect(code(() => store.status('nope'))).toBe('BLOB_NOT_FOUND');
  });

  it('enforces the per-device quota over unexpired blobs', () => {
    const { store, clock } = setup();
    store.create(ALICE, 100);
    expect(code(() => store.create(ALICE, 51))).toBe('QUOTA_EXCEEDED');
    expect(code(() => store.create(BOB, 100))).toBeUndefined();
    clock.advance(1000);
    expect(code(() => store.create(ALICE, 100))).toBeUndefined();
  });

  it('expires blobs after the retention time and deletes their files', () => {
    const { store, clock, dir } = setup();
    const id = store.create(ALICE, 2);
    store.put(ALICE, id, 0, new Uint8Array([1, 2]));
    clock.advance(999);
    expect(store.read(id, 0, 2).data.length).toBe(2);
    clock.advance(1);
    expect(code(() => store.read(id, 0, 2))).toBe('BLOB_NOT_FOUND');
    expect(store.expire(clock.now())).toBe(1);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
    expect(store.count).toBe(0);
  });

  it('survives a restart and removes stray files left by a crash', () => {
    const first = setup();
    const id = first.store.create(ALICE, 2);
    first.store.put(ALICE, id, 0, new Uint8Array([1, 2]));
    writeFileSync(join(first.dir, 'blobs', 'stray'), 'x');
    first.db.close();
    opened.splice(opened.indexOf(first.db), 1);
    const second = setup(first.dir, first.clock);
    expect([...second.store.read(id, 0, 2).data]).toEqual([1, 2]);
    expect(readdirSync(join(first.dir, 'blobs'))).toEqual([id]);
  });
});
