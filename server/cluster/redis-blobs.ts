/**
 * Attachment blobs shared by several relay nodes: the index (owner, size, bytes received,
 * expiry) in Redis, the bytes in one file per blob on a directory every node mounts
 * (`--blob-dir`). Any node can continue an upload another node started and serve any complete
 * blob. Keys: `wl:blob:ID` (hash o/s/n/e), `wl:blobs:exp` (id by expiry), `wl:blobs:own:D` (a
 * device's blobs, for its quota).
 *
 * Expiry is keyed by Redis state and idempotent, so every node may sweep: a sweeper deletes the
 * file first and the index entry after, so a crash in between leaves an index entry that the
 * next sweep finishes, never an orphan file. A node never deletes a file Redis does not list as
 * expired (unlike a per-node index, which would delete the other nodes' files as strays).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../../src/shared/clock';
import { zDeviceId, type DeviceId } from '../../src/shared/protocol/ids';
import { RelayError } from '../../src/shared/wire/relay-error';
import type { BlobStoreOptions } from '../blob-store';
import type { Logger } from '../logging';
import type { BlobService, BlobStatus } from '../stores/blob-service';
import { StoreError } from '../stores/store-error';
import { ADVANCE_BLOB, CREATE_BLOB, REMOVE_BLOB } from './redis-blob-scripts';
import { redactRedisUrl } from './redis-link';

export const blobKeys = {
  blob: (id: string) => `wl:blob:${id}`,
  expiry: 'wl:blobs:exp',
  owner: (d: DeviceId) => `wl:blobs:own:${d}`,
} as const;

const BLOB_ID = /^[A-Za-z0-9_-]{43}$/;
const SWEEP_BATCH = 500;
const count = z.coerce.number().int().nonnegative();
const zBlobEntry = z.object({ o: zDeviceId, s: count, n: count, e: count });
type BlobEntry = z.infer<typeof zBlobEntry>;

export class RedisBlobStore implements BlobService {
  #count = 0;
  #sweeping = false;
  /** Per blob, the last request still running on this node (see #inOrder). */
  readonly #pending = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly redis: Redis,
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly options: BlobStoreOptions,
    private readonly log: Logger,
  ) {}

  /** Its own command connection (no subscription needed); fails with STORE_UNAVAILABLE like the other cluster stores. */
  static async open(url: string, dir: string, clock: Clock, options: BlobStoreOptions, log: Logger): Promise<RedisBlobStore> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 2, connectionName: 'wardline-relay-blobs' });
    redis.on('error', (error: Error) => log.warn({ code: 'STORE_UNAVAILABLE', err: error.message }, 'redis blob connection error'));
    try {
      await redis.connect();
      await redis.ping();
    } catch (cause) {
      redis.disconnect();
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach Redis at ${redactRedisUrl(url)}`, { cause });
    }
    const store = new RedisBlobStore(redis, dir, clock, options, log);
    store.#count = await redis.zcard(blobKeys.expiry);
    return store;
  }

  get count(): number {
    return this.#count;
  }

  async create(owner: DeviceId, size: number): Promise<string> {
    if (!Number.isInteger(size) || size < 1 || size > this.options.maxBlobBytes) throw new RelayError('TOO_LARGE');
    const now = this.clock.now();
    const id = randomBytes(32).toString('base64url');
    const keys = [blobKeys.blob(id), blobKeys.expiry, blobKeys.owner(owner)];
    const created = await CREATE_BLOB.run(this.redis, keys, [owner, size, now, now + this.options.retentionMs, this.options.quotaBytesPerDevice, id]);
    if (Number(created) !== 1) throw new RelayError('QUOTA_EXCEEDED');
    // Index first, file second: a file on the shared directory always has an index entry that expires it.
    await writeFile(this.#path(id), new Uint8Array(0), { flag: 'wx', mode: 0o600 });
    this.#count++;
    return id;
  }

  put(owner: DeviceId, id: string, offset: number, data: Uint8Array): Promise<number> {
    return this.#inOrder(id, () => this.#put(owner, id, offset, data));
  }

  async #put(owner: DeviceId, id: string, offset: number, data: Uint8Array): Promise<number> {
    const entry = await this.#live(id);
    if (entry.o !== owner) throw new RelayError('BLOB_NOT_FOUND');
    if (offset + data.length <= entry.n && data.length > 0) return entry.n;
    if (offset !== entry.n) throw new RelayError('BLOB_OFFSET');
    if (offset + data.length > entry.s) throw new RelayError('TOO_LARGE');
    const file = await open(this.#path(id), 'r+');
    try {
      await file.write(data, 0, data.length, offset);
    } finally {
      await file.close();
    }
    // The offset moves only after the bytes are in the file, and only from where this writer found it.
    const received = Number(await ADVANCE_BLOB.run(this.redis, [blobKeys.blob(id)], [offset, offset + data.length]));
    if (received === -1) throw new RelayError('BLOB_NOT_FOUND');
    if (received < 0) throw new RelayError('BLOB_OFFSET');
    return received;
  }

  status(id: string): Promise<BlobStatus> {
    return this.#inOrder(id, async () => {
      const entry = await this.#live(id);
      return { received: entry.n, size: entry.s };
    });
  }

  read(id: string, offset: number, length: number): Promise<{ data: Uint8Array; size: number }> {
    return this.#inOrder(id, () => this.#read(id, offset, length));
  }

  async #read(id: string, offset: number, length: number): Promise<{ data: Uint8Array; size: number }> {
    const entry = await this.#live(id);
    if (entry.n !== entry.s) throw new RelayError('BLOB_NOT_FOUND');
    const n = Math.max(0, Math.min(length, entry.s - offset));
    const data = new Uint8Array(n);
    if (n > 0) {
      const file = await open(this.#path(id), 'r');
      try {
        await file.read(data, 0, n, offset);
      } finally {
        await file.close();
      }
    }
    return { data, size: entry.s };
  }

  /** Starts a sweep in the background (one at a time per node); the count is known when it ends. */
  expire(now: number): number {
    if (this.#sweeping) return 0;
    this.#sweeping = true;
    this.sweep(now)
      .catch((error: unknown) => this.log.error({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'blob sweep failed'))
      .finally(() => (this.#sweeping = false));
    return 0;
  }

  /** Deletes every blob expired by `now` (file, then index entry); resolves with how many this call removed. */
  async sweep(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const ids = await this.redis.zrangebyscore(blobKeys.expiry, '-inf', now, 'LIMIT', 0, SWEEP_BATCH);
      for (const id of ids) {
        if (BLOB_ID.test(id)) await rm(this.#path(id), { force: true });
        await REMOVE_BLOB.run(this.redis, [blobKeys.blob(id), blobKeys.expiry], [id]);
      }
      removed += ids.length;
      if (ids.length < SWEEP_BATCH) break;
    }
    this.#count = await this.redis.zcard(blobKeys.expiry);
    return removed;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  /**
   * Clients pipeline their pieces (the next put leaves before the last is answered); the
   * embedded store handles them synchronously, in order. Here each step awaits Redis and the
   * file, so requests for one blob on this node run one after another to keep that order.
   */
  #inOrder<T>(id: string, step: () => Promise<T>): Promise<T> {
    const previous = this.#pending.get(id) ?? Promise.resolve();
    const run = previous.then(step, step);
    const settled = run.catch(() => undefined);
    this.#pending.set(id, settled);
    void settled.then(() => {
      if (this.#pending.get(id) === settled) this.#pending.delete(id);
    });
    return run;
  }

  async #live(id: string): Promise<BlobEntry> {
    if (!BLOB_ID.test(id)) throw new RelayError('BLOB_NOT_FOUND');
    const raw = await this.redis.hgetall(blobKeys.blob(id));
    if (Object.keys(raw).length === 0) throw new RelayError('BLOB_NOT_FOUND');
    const parsed = zBlobEntry.safeParse(raw);
    if (!parsed.success) throw new StoreError('STORE_CORRUPT', 'blob index entry unreadable');
    if (parsed.data.e <= this.clock.now()) throw new RelayError('BLOB_NOT_FOUND');
    return parsed.data;
  }

  #path(id: string): string {
    return join(this.dir, id);
  }
}
