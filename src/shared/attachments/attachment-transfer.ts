/**
 * Moving an attachment through the relay blob store: encrypt while uploading, decrypt while
 * downloading, one transfer frame at a time, so memory stays at a chunk or two whatever the
 * file size. Uploads resume: `startUpload` fixes key, header and blob id (a PendingUpload the
 * caller may keep); `sendUpload` asks the relay how much it has and re-encrypts from the start,
 * skipping what already arrived (encryption is deterministic for a given key and header).
 */
import { ATTACHMENT_MAX_BYTES, RELAY_BLOB_TRANSFER_BYTES } from '../limits';
import { AttachmentDecryptor, AttachmentEncryptor, encryptedSize, newAttachmentHeader, newAttachmentKey } from './attachment-cipher';
import { AttachmentError } from './attachment-error';

/** Upload frames sent before waiting for the oldest answer. */
const UPLOAD_WINDOW = 4;

/** What the relay client offers for blobs (RelayClient implements it). */
export interface BlobTransport {
  createBlob(size: number): Promise<string>;
  putBlobChunk(blobId: string, offset: number, data: Uint8Array): Promise<number>;
  blobStatus(blobId: string): Promise<{ received: number; size: number }>;
  getBlobChunk(blobId: string, offset: number, length: number): Promise<{ data: Uint8Array; size: number }>;
}

/** Everything a receiver needs, sent inside the end-to-end encrypted message. */
export interface AttachmentPointer {
  readonly blobId: string;
  readonly key: Uint8Array;
  /** SHA-256 of the plaintext. */
  readonly digest: Uint8Array;
  /** Plaintext bytes. */
  readonly size: number;
}

export interface PendingUpload {
  readonly blobId: string;
  readonly key: Uint8Array;
  readonly header: Uint8Array;
  readonly size: number;
}

/** Ciphertext bytes done and in total. */
export type TransferProgress = (done: number, total: number) => void;
export type PlaintextSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export async function startUpload(relay: BlobTransport, size: number): Promise<PendingUpload> {
  if (!Number.isInteger(size) || size < 0 || size > ATTACHMENT_MAX_BYTES) throw new AttachmentError('TOO_LARGE', 'attachment too large');
  const header = newAttachmentHeader();
  const blobId = await relay.createBlob(encryptedSize(size));
  return { blobId, key: newAttachmentKey(), header, size };
}

/**
 * Encrypts `source` (the same plaintext on every call) and uploads what the relay lacks.
 * Rejects with RelayError on transport failure (call again with a fresh source to resume) or
 * AttachmentError when the source does not hold exactly `size` bytes.
 */
export async function sendUpload(
  relay: BlobTransport,
  upload: PendingUpload,
  source: PlaintextSource,
  onProgress?: TransferProgress,
): Promise<AttachmentPointer> {
  const encryptor = new AttachmentEncryptor(upload.key, upload.size, upload.header);
  const total = encryptor.encryptedSize;
  let { received } = await relay.blobStatus(upload.blobId);
  let position = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  onProgress?.(received, total);

  // A few frames in flight hide the round trip; the relay applies them in order, and after a
  // failure the rest fail too (BLOB_OFFSET) and the next sendUpload resumes from blob-status.
  const inFlight: Promise<unknown>[] = [];
  const flush = async (all: boolean) => {
    while (pendingBytes >= RELAY_BLOB_TRANSFER_BYTES || (all && pendingBytes > 0)) {
      const piece = take(Math.min(RELAY_BLOB_TRANSFER_BYTES, pendingBytes));
      const start = position;
      position += piece.length;
      if (position <= received) continue;
      const skip = Math.max(0, received - start);
      const put = relay.putBlobChunk(upload.blobId, start + skip, piece.subarray(skip)).then((n) => {
        received = Math.max(received, n);
        onProgress?.(received, total);
      });
      // Handled when awaited below; this only keeps a later failure from counting as unhandled meanwhile.
      put.catch(() => undefined);
      inFlight.push(put);
      if (inFlight.length >= UPLOAD_WINDOW) await inFlight.shift();
    }
    if (all) while (inFlight.length) await inFlight.shift();
  };
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = pending[0]!;
      const used = Math.min(head.length, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) pending.shift();
      else pending[0] = head.subarray(used);
    }
    pendingBytes -= n;
    return out;
  };
  const queue = (chunks: Uint8Array[]) => {
    for (const c of chunks) {
      pending.push(c);
      pendingBytes += c.length;
    }
  };

  for await (const piece of source) {
    queue(encryptor.push(piece));
    await flush(false);
  }
  const { digest, rest } = encryptor.finish();
  queue(rest);
  await flush(true);
  pending = [];
  if (received !== total) throw new AttachmentError('TRUNCATED', 'relay holds a different amount than was sent');
  return { blobId: upload.blobId, key: upload.key, digest, size: upload.size };
}

export async function uploadAttachment(relay: BlobTransport, size: number, source: PlaintextSource, onProgress?: TransferProgress): Promise<AttachmentPointer> {
  return sendUpload(relay, await startUpload(relay, size), source, onProgress);
}

/**
 * Asked when a blob read fails for a reason other than the blob itself (a dropped connection, a
 * timeout): resolves with a transport to continue on (the same or a new connection), or null to
 * give up and let the error through. `offset` is how far the download got.
 */
export type ResumeDownload = (error: unknown, offset: number) => Promise<BlobTransport | null>;

/**
 * Streams the decrypted plaintext of an attachment. Throws AttachmentError (TAMPERED, TRUNCATED,
 * DIGEST_MISMATCH) or RelayError; everything yielded is provisional until iteration completes.
 * With `resume`, a failed read continues from the byte it stopped at (the blob-get offset) on
 * the transport `resume` hands back: what was received and checked stays, the decryptor keeps
 * its place, nothing is fetched twice.
 */
export async function* downloadAttachment(
  relay: BlobTransport,
  pointer: AttachmentPointer,
  onProgress?: TransferProgress,
  resume?: ResumeDownload,
): AsyncGenerator<Uint8Array> {
  const decryptor = new AttachmentDecryptor(pointer.key, pointer.size, pointer.digest);
  const total = encryptedSize(pointer.size);
  let offset = 0;
  let transport = relay;
  while (offset < total) {
    let piece: { data: Uint8Array; size: number };
    try {
      piece = await transport.getBlobChunk(pointer.blobId, offset, Math.min(RELAY_BLOB_TRANSFER_BYTES, total - offset));
    } catch (error) {
      const next = resume === undefined ? null : await resume(error, offset);
      if (next === null) throw error;
      transport = next;
      continue;
    }
    const { data, size } = piece;
    if (size !== total) throw new AttachmentError(size < total ? 'TRUNCATED' : 'TAMPERED', 'blob size differs from the message');
    if (data.length === 0) throw new AttachmentError('TRUNCATED', 'blob ended early');
    offset += data.length;
    onProgress?.(offset, total);
    yield* decryptor.push(data);
  }
  decryptor.finish();
}

/** Collects a download into one array (for images the UI shows; large files should stream). */
export async function downloadAttachmentBytes(relay: BlobTransport, pointer: AttachmentPointer, onProgress?: TransferProgress): Promise<Uint8Array> {
  const out = new Uint8Array(pointer.size);
  let filled = 0;
  for await (const piece of downloadAttachment(relay, pointer, onProgress)) {
    out.set(piece, filled);
    filled += piece.length;
  }
  return out;
}
