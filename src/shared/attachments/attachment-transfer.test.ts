import { describe, expect, it } from 'vitest';
import { RELAY_BLOB_TRANSFER_BYTES } from '../limits';
import { downloadAttachmentBytes, downloadAttachment, uploadAttachment } from './attachment-transfer';
import { AttachmentError } from './attachment-error';
import { MemoryBlobTransport as MemoryBlobs } from './memory-blob-transport';

const file = new Uint8Array(5 * RELAY_BLOB_TRANSFER_BYTES + 999).map((_, i) => (i * 7) & 0xff);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

describe('attachment download resume', () => {
  it('continues from the byte it stopped at after a dropped connection, fetching nothing twice', async () => {
    const relay = new MemoryBlobs();
    const pointer = await uploadAttachment(relay, file.length, [file]);
    relay.failAfterReads = 2;
    const offsets: number[] = [];
    const plain = await collect(
      downloadAttachment(relay, pointer, undefined, (error, offset) => {
        expect((error as { code: string }).code).toBe('CLOSED');
        offsets.push(offset);
        relay.failAfterReads = Infinity;
        return Promise.resolve(relay);
      }),
    );
    expect(same(plain, file)).toBe(true);
    expect(offsets).toEqual([2 * RELAY_BLOB_TRANSFER_BYTES]);
    expect(new Set(relay.reads).size).toBe(relay.reads.length);
    expect(relay.reads[0]).toBe(0);
  });

  it('passes the error through when resume gives up, and without a resume hook', async () => {
    const relay = new MemoryBlobs();
    const pointer = await uploadAttachment(relay, file.length, [file]);
    relay.failAfterReads = 1;
    await expect(collect(downloadAttachment(relay, pointer, undefined, () => Promise.resolve(null)))).rejects.toMatchObject({ code: 'CLOSED' });
    relay.reads.length = 0;
    await expect(downloadAttachmentBytes(relay, pointer)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('still rejects a tampered blob after a resume', async () => {
    const relay = new MemoryBlobs();
    const pointer = await uploadAttachment(relay, file.length, [file]);
    relay.blobs.get(pointer.blobId)!.data[4 * RELAY_BLOB_TRANSFER_BYTES + 5]! ^= 1;
    relay.failAfterReads = 1;
    const resumed = downloadAttachment(relay, pointer, undefined, () => {
      relay.failAfterReads = Infinity;
      return Promise.resolve(relay);
    });
    await expect(collect(resumed)).rejects.toBeInstanceOf(AttachmentError);
  });
});
