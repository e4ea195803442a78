/**
 * Attachment blobs as the request handlers use them, whichever engine holds the index: the
 * embedded SQLite index with files under the data directory (server/blob-store.ts, the default)
 * or an index in Redis with the files on a directory every node mounts
 * (server/cluster/redis-blobs.ts), so any node serves any blob. Bytes never go through Redis.
 */
import type { DeviceId } from '../../src/shared/protocol/ids';
import type { MaybePromise } from './directory-store';

export interface BlobStatus {
  readonly received: number;
  readonly size: number;
}

export interface BlobService {
  /** Blobs known (for /health; a shared index may answer with its last count). */
  readonly count: number;
  /** Reserves `size` bytes against the owner's quota; resolves with the new blob's id. */
  create(owner: DeviceId, size: number): MaybePromise<string>;
  /** Appends at `offset` (only the owner, only at the end of what arrived); returns bytes received. */
  put(owner: DeviceId, id: string, offset: number, data: Uint8Array): MaybePromise<number>;
  status(id: string): MaybePromise<BlobStatus>;
  read(id: string, offset: number, length: number): MaybePromise<{ data: Uint8Array; size: number }>;
  /** Deletes blobs whose time is up; returns how many, if known at once. */
  expire(now: number): number;
}
