/**
 * Attachment blob file format (one file per attachment, its own random 256-bit key):
 *
 *   header  = "WLB1" | u32be chunkSize | 8-byte random nonce prefix           (16 bytes)
 *   chunk i = ChaCha20-Poly1305(key, nonce_i, ad_i, plaintext_i)                (<= chunkSize + 16)
 *   nonce_i = prefix (7 bytes) | u32be i | final (1 byte: 1 on the last chunk, else 0)
 *   ad_i    = header | u32be i | final
 *
 * Every chunk but the last holds exactly chunkSize plaintext bytes; the last holds 0..chunkSize.
 * Binding the index and the final flag into each chunk means reordering, dropping, duplicating or
 * truncating chunks fails authentication. Files are streamed in both directions: no attachment is
 * ever held whole in memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, utf8ToBytes } from '../../../shared/bytes';
import { StoreError } from './store-error';

export const BLOB_CHUNK_SIZE = 64 * 1024;
const MAGIC = utf8ToBytes('WLB1');
const HEADER_LENGTH = 16;
const TAG_LENGTH = 16;
const MAX_CHUNK_SIZE = 1024 * 1024;

export interface BlobWriteResult {
  /** Plaintext length in bytes. */
  readonly size: number;
  /** SHA-256 over the plaintext, kept beside the key and checked when the blob is read back. */
  readonly digest: Uint8Array;
}

function chunkNonceAndAd(header: Uint8Array, index: number, final: boolean): { nonce: Uint8Array; ad: Uint8Array } {
  const tail = new Uint8Array(5);
  new DataView(tail.buffer).setUint32(0, index);
  tail[4] = final ? 1 : 0;
  return { nonce: concatBytes(header.subarray(8, 15), tail), ad: concatBytes(header, tail) };
}

/** Re-cuts an arbitrary byte stream into exact chunkSize pieces (the last may be shorter or empty). */
async function* rechunk(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending = new Uint8Array(size);
  let filled = 0;
  for await (const piece of source) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(size - filled, piece.length - offset);
      pending.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield pending;
        pending = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  yield pending.subarray(0, filled);
}

/**
 * Encrypts `source` into `path` (written as `path.part`, then renamed, so a crash never leaves
 * a half blob under the real name). The key must be 32 random bytes, used for this file only.
 */
export async function writeBlob(
  path: string,
  key: Uint8Array,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunkSize = BLOB_CHUNK_SIZE,
): Promise<BlobWriteResult> {
  if (key.length !== 32) throw new StoreError('BAD_ARGUMENT', 'blob key must be 32 bytes');
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new StoreError('BAD_ARGUMENT', 'bad chunk size');
  const header = new Uint8Array(HEADER_LENGTH);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint32(4, chunkSize);
  header.set(randomBytes(8), 8);
  const partPath = `${path}.part`;
  const file = await open(partPath, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await file.write(header);
    // Look one chunk ahead so the last one can carry the final flag.
    let index = 0;
    let previous: Uint8Array | null = null;
    for await (const chunk of rechunk(source, chunkSize)) {
      if (previous !== null) {
        const { nonce, ad } = chunkNonceAndAd(header, index++, false);
        await file.write(chacha20poly1305(key, nonce, ad).encrypt(previous));
      }
      hash.update(chunk);
      size += chunk.length;
      previous = chunk;
    }
    const { nonce, ad } = chunkNonceAndAd(header, index, true);
    await file.write(chacha20poly1305(key, nonce, ad).encrypt(previous ?? new Uint8Array(0)));
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(partPath, { force: true });
    throw error;
  }
  await file.close();
  await rename(partPath, path);
  return { size, digest: new Uint8Array(hash.digest()) };
}

/**
 * Streams the plaintext of a blob, chunk by chunk. Throws StoreError('BLOB_CORRUPT') on a wrong
 * key, tampering, truncation, reordering or a digest mismatch (the digest is checked after the
 * last chunk, so consumers must treat data as untrusted until iteration completes).
 */
export async function* readBlob(path: string, key: Uint8Array, expectedDigest?: Uint8Array): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const header = new Uint8Array(HEADER_LENGTH);
    const { bytesRead } = await file.read(header, 0, HEADER_LENGTH, 0);
    if (bytesRead !== HEADER_LENGTH || !MAGIC.every((b, i) => header[i] === b)) throw new StoreError('BLOB_CORRUPT', 'bad blob header');
    const chunkSize = new DataView(header.buffer).getUint32(4);
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new StoreError('BLOB_CORRUPT', 'bad blob chunk size');
    const fileSize = (await file.stat()).size;
    const sealed = chunkSize + TAG_LENGTH;
    const hash = createHash('sha256');
    let position = HEADER_LENGTH;
    for (let index = 0; ; index++) {
      const remaining = fileSize - position;
      const final = remaining <= sealed;
      const length = Math.min(remaining, sealed);
      if (length < TAG_LENGTH) throw new StoreError('BLOB_CORRUPT', 'truncated blob');
      const buffer = new Uint8Array(length);
      await file.read(buffer, 0, length, position);
      position += length;
      const { nonce, ad } = chunkNonceAndAd(header, index, final);
      let plain: Uint8Array;
      try {
        plain = chacha20poly1305(key, nonce, ad).decrypt(buffer);
      } catch (cause) {
        throw new StoreError('BLOB_CORRUPT', 'blob chunk failed authentication', { cause });
      }
      hash.update(plain);
      if (final) {
        if (expectedDigest !== undefined && !Buffer.from(expectedDigest).equals(hash.digest())) {
          throw new StoreError('BLOB_CORRUPT', 'blob digest mismatch');
        }
        if (plain.length > 0) yield plain;
        return;
      }
      yield plain;
    }
  } finally {
    await file.close();
  }
}
