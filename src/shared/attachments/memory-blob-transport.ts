/**
 * Test support: an in-memory relay blob store behind the BlobTransport interface, with switches
 * that make reads fail like a dropped connection, and a record of every read offset (to prove a
 * resumed download fetched nothing twice).
 */
import type { BlobTransport } from './attachment-transfer';

export class MemoryBlobTransport implements BlobTransport {
  readonly blobs = new Map<string, { data: Uint8Array; received: number }>();
  /** Ciphertext offsets of every successful read. */
  readonly reads: number[] = [];
  /** Reads fail (code CLOSED) once this many have succeeded. */
  failAfterReads = Infinity;
  /** What `isOpen` reports (the core asks before starting a transfer). */
  isOpen = true;
  #next = 0;

  createBlob(size: number): Promise<string> {
    const id = `blob-${this.#next++}`;
    this.blobs.set(id, { data: new Uint8Array(size), received: 0 });
    return Promise.resolve(id);
  }

  putBlobChunk(blobId: string, offset: number, data: Uint8Array): Promise<number> {
    const blob = this.#blob(blobId);
    blob.data.set(data, offset);
    blob.received = Math.max(blob.received, offset + data.length);
    return Promise.resolve(blob.received);
  }

  blobStatus(blobId: string): Promise<{ received: number; size: number }> {
    const blob = this.#blob(blobId);
    return Promise.resolve({ received: blob.received, size: blob.data.length });
  }

  getBlobChunk(blobId: string, offset: number, length: number): Promise<{ data: Uint8Array; size: number }> {
    if (this.reads.length >= this.failAfterReads) return Promise.reject(Object.assign(new Error('connection closed'), { code: 'CLOSED' }));
    const blob = this.blobs.get(blobId);
    if (!blob) return Promise.reject(Object.assign(new Error('no such blob'), { code: 'BLOB_NOT_FOUND' }));
    this.reads.push(offset);
    return Promise.resolve({ data: blob.data.slice(offset, offset + length), size: blob.data.length });
  }

  #blob(blobId: string): { data: Uint8Array; received: number } {
    const blob = this.blobs.get(blobId);
    if (!blob) throw Object.assign(new Error('no such blob'), { code: 'BLOB_NOT_FOUND' });
    return blob;
  }
}
