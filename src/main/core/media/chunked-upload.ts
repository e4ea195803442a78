/**
 * Chunked renderer → core uploads (docs/attachments.md), so a file up to ATTACHMENT_MAX_BYTES
 * never crosses the API, or sits in memory, whole: `begin` reserves an upload, each `chunk`
 * (ATTACHMENT_UPLOAD_CHUNK_BYTES, strictly in order) is encrypted straight into a spool file,
 * `finish` hands the complete file over as a stream. The spool is the store's own blob format
 * under a random key that lives only in this object, so the plaintext never touches the disk
 * and a spool left by a crash is unreadable noise (deleted at the next start).
 *
 * Pictures are the exception to "never whole": metadata stripping needs the whole image, so
 * they are limited to ATTACHMENT_IMAGE_MAX_BYTES; a picture is recognised by its MIME type or
 * by its first bytes (a renamed photo is still a photo).
 *
 * Uploads idle for ATTACHMENT_UPLOAD_IDLE_MS expire (checked on every call against the injected
 * clock), and at most ATTACHMENT_UPLOADS_MAX are open at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isImageMimeType, sniffImageFormat } from '../../../shared/attachments/image-metadata';
import { constantTimeEqual } from '../../../shared/bytes';
import type { Clock } from '../../../shared/clock';
import {
  ATTACHMENT_IMAGE_MAX_BYTES,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_UPLOAD_CHUNK_BYTES,
  ATTACHMENT_UPLOAD_IDLE_MS,
  ATTACHMENT_UPLOADS_MAX,
} from '../../../shared/limits';
import { zFileName, zMimeType } from '../../../shared/messages/attachment-content';
import { CoreError } from '../core-error';
import { readBlob, writeBlob, type BlobWriteResult } from '../store/attachment-blob';
import { ChunkFeed } from './chunk-feed';

/** Why an upload call was refused (the message of the CoreError; the API code is INVALID_INPUT or NOT_FOUND). */
export type UploadRefusal =
  | 'UPLOAD_UNKNOWN'
  | 'UPLOAD_TOO_LARGE'
  | 'UPLOAD_TOO_MANY'
  | 'UPLOAD_CHUNK_ORDER'
  | 'UPLOAD_CHUNK_SIZE'
  | 'UPLOAD_INCOMPLETE'
  | 'UPLOAD_BUSY'
  | 'IMAGE_TOO_LARGE'
  | 'FILE_NAME_OR_TYPE';

function refuse(refusal: UploadRefusal): CoreError {
  return new CoreError(refusal === 'UPLOAD_UNKNOWN' ? 'NOT_FOUND' : 'INVALID_INPUT', refusal);
}

export interface UploadStart {
  readonly conversationId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
}

/** A complete upload, handed over once: `open()` streams the plaintext, `discard()` deletes the spool. */
export interface StagedFile {
  readonly conversationId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  /** A picture: read it whole (it is small enough) and strip its metadata. */
  readonly image: boolean;
  open(): AsyncIterable<Uint8Array>;
  discard(): Promise<void>;
}

interface Upload extends UploadStart {
  readonly id: string;
  readonly path: string;
  readonly key: Uint8Array;
  readonly feed: ChunkFeed;
  readonly written: Promise<BlobWriteResult>;
  image: boolean;
  received: number;
  nextIndex: number;
  lastChunkDigest: Uint8Array | null;
  lastActivity: number;
  busy: boolean;
}

function chunkDigest(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export class ChunkedUploads {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #uploads = new Map<string, Upload>();

  /** `dir` holds only spool files (it is emptied here: anything in it is from a previous run). */
  constructor(dir: string, clock: Clock) {
    this.#dir = dir;
    this.#clock = clock;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
  }

  get openCount(): number {
    return this.#uploads.size;
  }

  async begin(start: UploadStart): Promise<{ uploadId: string; chunkBytes: number }> {
    await this.expire();
    if (!zFileName.safeParse(start.fileName).success || !zMimeType.safeParse(start.mimeType).success) throw refuse('FILE_NAME_OR_TYPE');
    if (!Number.isInteger(start.size) || start.size < 0 || start.size > ATTACHMENT_MAX_BYTES) throw refuse('UPLOAD_TOO_LARGE');
    const image = isImageMimeType(start.mimeType);
    if (image && start.size > ATTACHMENT_IMAGE_MAX_BYTES) throw refuse('IMAGE_TOO_LARGE');
    if (this.#uploads.size >= ATTACHMENT_UPLOADS_MAX) throw refuse('UPLOAD_TOO_MANY');

    const id = randomBytes(16).toString('hex');
    const path = join(this.#dir, `${id}.spool`);
    const key = new Uint8Array(randomBytes(32));
    const feed = new ChunkFeed();
    const written = writeBlob(path, key, feed);
    // A spool write failure (disk full) reaches the caller of the next chunk through the feed.
    written.catch((error: unknown) => feed.fail(error));
    this.#uploads.set(id, { ...start, id, path, key, feed, written, image, received: 0, nextIndex: 0, lastChunkDigest: null, lastActivity: this.#clock.now(), busy: false });
    return { uploadId: id, chunkBytes: ATTACHMENT_UPLOAD_CHUNK_BYTES };
  }

  /**
   * Appends chunk `index`. Chunks come strictly in order, each exactly ATTACHMENT_UPLOAD_CHUNK_BYTES
   * but the last; repeating the last accepted chunk with the same bytes is a no-op (a retried call).
   * Returns the plaintext bytes received so far.
   */
  async chunk(uploadId: string, index: number, data: Uint8Array): Promise<{ received: number }> {
    await this.expire();
    const upload = this.#use(uploadId);
    try {
      if (index === upload.nextIndex - 1 && upload.lastChunkDigest !== null && constantTimeEqual(chunkDigest(data), upload.lastChunkDigest)) {
        return { received: upload.received };
      }
      if (index !== upload.nextIndex) throw refuse('UPLOAD_CHUNK_ORDER');
      if (data.length === 0 || data.length > ATTACHMENT_UPLOAD_CHUNK_BYTES) throw refuse('UPLOAD_CHUNK_SIZE');
      if (upload.received + data.length > upload.size) throw refuse('UPLOAD_TOO_LARGE');
      const last = upload.received + data.length === upload.size;
      if (!last && data.length !== ATTACHMENT_UPLOAD_CHUNK_BYTES) throw refuse('UPLOAD_CHUNK_SIZE');
      if (index === 0 && !upload.image && sniffImageFormat(data) !== undefined) {
        if (upload.size > ATTACHMENT_IMAGE_MAX_BYTES) throw refuse('IMAGE_TOO_LARGE');
        upload.image = true;
      }
      try {
        await upload.feed.push(data);
      } catch (error) {
        await this.#drop(upload);
        throw error;
      }
      upload.received += data.length;
      upload.nextIndex++;
      upload.lastChunkDigest = chunkDigest(data);
      return { received: upload.received };
    } finally {
      upload.busy = false;
      upload.lastActivity = this.#clock.now();
    }
  }

  /** Closes a complete upload and hands it over; the upload id is gone afterwards. */
  async finish(uploadId: string): Promise<StagedFile> {
    await this.expire();
    const upload = this.#use(uploadId);
    if (upload.received !== upload.size) {
      upload.busy = false;
      upload.lastActivity = this.#clock.now();
      throw refuse('UPLOAD_INCOMPLETE');
    }
    this.#uploads.delete(uploadId);
    upload.feed.end();
    let digest: Uint8Array;
    try {
      digest = (await upload.written).digest;
    } catch (error) {
      await this.#discardFile(upload);
      throw error;
    }
    return {
      conversationId: upload.conversationId,
      fileName: upload.fileName,
      mimeType: upload.mimeType,
      size: upload.size,
      image: upload.image,
      open: () => readBlob(upload.path, upload.key, digest),
      discard: () => this.#discardFile(upload),
    };
  }

  async abort(uploadId: string): Promise<void> {
    const upload = this.#uploads.get(uploadId);
    if (!upload) throw refuse('UPLOAD_UNKNOWN');
    await this.#drop(upload);
  }

  /** Drops uploads idle for ATTACHMENT_UPLOAD_IDLE_MS; returns how many. */
  async expire(): Promise<number> {
    const now = this.#clock.now();
    const idle = [...this.#uploads.values()].filter((u) => !u.busy && now - u.lastActivity >= ATTACHMENT_UPLOAD_IDLE_MS);
    for (const upload of idle) await this.#drop(upload);
    return idle.length;
  }

  /** Ends every upload (the session closes). */
  async close(): Promise<void> {
    for (const upload of [...this.#uploads.values()]) await this.#drop(upload);
  }

  #use(uploadId: string): Upload {
    const upload = this.#uploads.get(uploadId);
    if (!upload) throw refuse('UPLOAD_UNKNOWN');
    // One call at a time per upload: chunks are ordered, and commit must not race a chunk.
    if (upload.busy) throw refuse('UPLOAD_BUSY');
    upload.busy = true;
    return upload;
  }

  async #drop(upload: Upload): Promise<void> {
    this.#uploads.delete(upload.id);
    upload.feed.fail(refuse('UPLOAD_UNKNOWN'));
    // The writer removes its partial file when its source fails.
    await upload.written.catch(() => undefined);
    await this.#discardFile(upload);
  }

  async #discardFile(upload: Upload): Promise<void> {
    upload.key.fill(0);
    await rm(upload.path, { force: true });
    await rm(`${upload.path}.part`, { force: true });
  }
}
