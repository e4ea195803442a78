/**
 * The relay's blob store for attachment ciphertext (docs/attachments.md). A device reserves a
 * blob of a known size, appends to it in order (resumable: after a drop it asks how much arrived
 * and continues there), and anyone holding the unguessable id can read it once complete. The
 * relay never learns what a blob holds: no name, no type, no key. Blobs expire like queued
 * envelopes, counted from creation; reserved sizes count against the creator's quota.
 *
 * Writes are synchronous (one frame's worth at a time) so request handling stays in order.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../src/shared/clock';
import type { DeviceId } from '../src/shared/protocol/ids';
import { RelayError } from '../src/shared/wire/relay-error';
import type { RelayDatabase } from './database';

export interface BlobStoreOptions {
  readonly retentionMs: number;
  readonly maxBlobBytes: number;
  readonly quotaBytesPerDevice: number;
}

interface BlobRow {
  blob_id: string;
  owner_device: string;
  size: number;
  received: number;
  expires_at: number;
}

export interface BlobStatus {
  readonly received: number;
  readonly size: number;
}

const BLOB_ID = /^[A-Za-z0-9_-]{43}$/;

export class BlobStore {
  readonly #dir: string;
  readonly #sql;

  constructor(
    db: RelayDatabase,
    dataDir: string,
    private readonly clock: Clock,
    private readonly options: BlobStoreOptions,
  ) {
    this.#dir = join(dataDir, 'blobs');
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    this.#sql = {
      insert: db.prepare('INSERT INTO blobs (blob_id, owner_device, size, received, expires_at) VALUES (?, ?, ?, 0, ?)'),
      get: db.prepare<[string], BlobRow>('SELECT * FROM blobs WHERE blob_id = ?'),
      setReceived: db.prepare('UPDATE blobs SET received = ? WHERE blob_id = ?'),
      reserved: db.prepare<[string, number], number | null>('SELECT sum(size) FROM blobs WHERE owner_device = ? AND expires_at > ?').pluck(),
      expired: db.prepare<[number], string>('SELECT blob_id FROM blobs WHERE expires_at <= ?').pluck(),
      remove: db.prepare('DELETE FROM blobs WHERE blob_id = ?'),
      all: db.prepare<[], string>('SELECT blob_id FROM blobs').pluck(),
      count: db.prepare<[], number>('SELECT count(*) FROM blobs').pluck(),
    };
    this.#removeStrayFiles();
  }

  get count(): number {
    return this.#sql.count.get() ?? 0;
  }

  create(owner: DeviceId, size: number): string {
    if (!Number.isInteger(size) || size < 1 || size > this.options.maxBlobBytes) throw new RelayError('TOO_LARGE');
    const now = this.clock.now();
    if ((this.#sql.reserved.get(owner, now) ?? 0) + size > this.options.quotaBytesPerDevice) throw new RelayError('QUOTA_EXCEEDED');
    const id = randomBytes(32).toString('base64url');
    closeSync(openSync(this.#path(id), 'wx', 0o600));
    this.#sql.insert.run(id, owner, size, now + this.options.retentionMs);
    return id;
  }

  /** Only the creator appends, and only at the end of what arrived: a retry of the same piece is harmless. */
  put(owner: DeviceId, id: string, offset: number, data: Uint8Array): number {
    const row = this.#live(id);
    if (row.owner_device !== owner) throw new RelayError('BLOB_NOT_FOUND');
    if (offset + data.length <= row.received && data.length > 0) return row.received;
    if (offset !== row.received) throw new RelayError('BLOB_OFFSET');
    if (offset + data.length > row.size) throw new RelayError('TOO_LARGE');
    const fd = openSync(this.#path(id), 'r+');
    try {
      writeSync(fd, data, 0, data.length, offset);
    } finally {
      closeSync(fd);
    }
    const received = offset + data.length;
    this.#sql.setReceived.run(received, id);
    return received;
  }

  status(id: string): BlobStatus {
    const row = this.#live(id);
    return { received: row.received, size: row.size };
  }

  read(id: string, offset: number, length: number): { data: Uint8Array; size: number } {
    const row = this.#live(id);
    if (row.received !== row.size) throw new RelayError('BLOB_NOT_FOUND');
    const n = Math.max(0, Math.min(length, row.size - offset));
    const data = new Uint8Array(n);
    if (n > 0) {
      const fd = openSync(this.#path(id), 'r');
      try {
        readSync(fd, data, 0, n, offset);
      } finally {
        closeSync(fd);
      }
    }
    return { data, size: row.size };
  }

  /** Deletes blobs whose time is up (row first: a crash in between leaves only a stray file, removed at start). */
  expire(now: number): number {
    const ids = this.#sql.expired.all(now);
    for (const id of ids) {
      this.#sql.remove.run(id);
      rmSync(this.#path(id), { force: true });
    }
    return ids.length;
  }

  #live(id: string): BlobRow {
    const row = BLOB_ID.test(id) ? this.#sql.get.get(id) : undefined;
    if (!row || row.expires_at <= this.clock.now()) throw new RelayError('BLOB_NOT_FOUND');
    return row;
  }

  #path(id: string): string {
    return join(this.#dir, id);
  }

  #removeStrayFiles(): void {
    const known = new Set(this.#sql.all.all());
    for (const name of readdirSync(this.#dir)) {
      if (!known.has(name) && statSync(join(this.#dir, name)).isFile()) rmSync(join(this.#dir, name), { force: true });
    }
  }
}
