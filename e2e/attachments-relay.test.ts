/**
 * Attachments through a real relay process: encrypted upload to the blob store, download and
 * decryption by another account's device, resume after a dropped connection, tampering and
 * truncation caught by the receiver, expiry after the retention time, and bad blob frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCbor } from '../src/shared/protocol/codec';
import { ATTACHMENT_CHUNK_BYTES, RELAY_BLOB_RETENTION_MS, RELAY_BLOB_TRANSFER_BYTES } from '../src/shared/limits';
import { AttachmentError } from '../src/shared/attachments/attachment-error';
import { encryptedSize } from '../src/shared/attachments/attachment-cipher';
import {
  downloadAttachmentBytes,
  sendUpload,
  startUpload,
  uploadAttachment,
  type BlobTransport,
} from '../src/shared/attachments/attachment-transfer';
import { RelayError } from '../src/shared/wire/relay-error';
import { connectDevice, openClient, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ args: ['--test-clock'] });
});
afterAll(async () => {
  await relay.stop();
});

async function registered(): Promise<TestAccount> {
  const account = new TestAccount();
  account.addDevice('phone');
  const client = await openClient(relay.url);
  await client.publishDeviceList(account.nextList());
  client.close();
  return account;
}

async function phone(account: TestAccount) {
  return connectDevice(relay.url, account, account.devices[0]!);
}

function photo(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7919) >>> 3;
  return out;
}

function* pieces(bytes: Uint8Array, size = 10_000): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Byte comparison without vitest's element-by-element diffing of large arrays. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AttachmentError || e instanceof RelayError) return e.code;
    throw e;
  }
  return 'resolved';
}

/** A transport that hands out a modified copy of the blob, as a hostile relay could. */
/** The blob methods of a client as a plain object, so tests can override one. */
function transport(client: BlobTransport): BlobTransport {
  return {
    createBlob: (s) => client.createBlob(s),
    putBlobChunk: (id, o, d) => client.putBlobChunk(id, o, d),
    blobStatus: (id) => client.blobStatus(id),
    getBlobChunk: (id, o, n) => client.getBlobChunk(id, o, n),
  };
}

function tampering(inner: BlobTransport, change: (blob: { data: Uint8Array; offset: number }) => Uint8Array): BlobTransport {
  return {
    ...transport(inner),
    getBlobChunk: async (id, offset, length) => {
      const got = await inner.getBlobChunk(id, offset, length);
      return { data: change({ data: got.data, offset }), size: got.size };
    },
  };
}

describe('attachments through the relay blob store (real relay process)', () => {
  it('round-trips a multi-chunk attachment between accounts, with progress', async () => {
    const alice = await registered();
    const bob = await registered();
    const sender = await phone(alice);
    const receiver = await phone(bob);
    const plain = photo(3 * RELAY_BLOB_TRANSFER_BYTES + 12_345);
    const progress: number[] = [];
    const pointer = await uploadAttachment(sender, plain.length, pieces(plain), (done) => progress.push(done));
    expect(progress.at(-1)).toBe(encryptedSize(plain.length));
    expect(pointer.size).toBe(plain.length);
    const down: number[] = [];
    expect(same(await downloadAttachmentBytes(receiver, pointer, (done) => down.push(done)), plain)).toBe(true);
    expect(down.at(-1)).toBe(encryptedSize(plain.length));
    const health = await relay.health();
    expect(health.blobs).toBeGreaterThanOrEqual(1);
    sender.close();
    receiver.close();
  });

  it('resumes an upload after the connection dropped, sending only what is missing', async () => {
    const alice = await registered();
    const plain = photo(4 * RELAY_BLOB_TRANSFER_BYTES);
    const first = await phone(alice);
    const upload = await startUpload(first, plain.length);
    // Drop the connection once a bit more than one transfer frame has gone out.
    const dropping: BlobTransport = {
      ...transport(first),
      putBlobChunk: async (id, offset, data) => {
        if (offset >= RELAY_BLOB_TRANSFER_BYTES) {
          first.close();
          throw new RelayError('CLOSED');
        }
        return first.putBlobChunk(id, offset, data);
      },
    };
    expect(await rejection(sendUpload(dropping, upload, pieces(plain)))).toBe('CLOSED');
    const second = await phone(alice);
    expect((await second.blobStatus(upload.blobId)).received).toBe(RELAY_BLOB_TRANSFER_BYTES);
    const sentOffsets: number[] = [];
    const counting: BlobTransport = {
      ...transport(second),
      putBlobChunk: (id, offset, data) => {
        sentOffsets.push(offset);
        return second.putBlobChunk(id, offset, data);
      },
    };
    const pointer = await sendUpload(counting, upload, pieces(plain));
    expect(sentOffsets[0]).toBe(RELAY_BLOB_TRANSFER_BYTES);
    expect(same(await downloadAttachmentBytes(second, pointer), plain)).toBe(true);
    second.close();
  });

  it('the receiver rejects a tampered chunk and a truncated blob', async () => {
    const alice = await registered();
    const client = await phone(alice);
    const plain = photo(5 * ATTACHMENT_CHUNK_BYTES);
    const pointer = await uploadAttachment(client, plain.length, pieces(plain));
    const flipped = tampering(client, ({ data, offset }) => {
      if (offset !== 0) return data;
      const copy = data.slice();
      copy[100_000]! ^= 0x01;
      return copy;
    });
    expect(await rejection(downloadAttachmentBytes(flipped, pointer))).toBe('TAMPERED');
    // A relay that stops early, or claims a shorter blob, is caught as truncation.
    const cut = tampering(client, ({ data, offset }) => (offset >= RELAY_BLOB_TRANSFER_BYTES ? new Uint8Array(0) : data));
    expect(await rejection(downloadAttachmentBytes(cut, pointer))).toBe('TRUNCATED');
    const shorter: BlobTransport = {
      ...transport(client),
      getBlobChunk: async (id, o, n) => ({ ...(await client.getBlobChunk(id, o, n)), size: 100 }),
    };
    expect(await rejection(downloadAttachmentBytes(shorter, pointer))).toBe('TRUNCATED');
    // A pointer announcing a shorter file than the blob holds is refused too.
    expect(await rejection(downloadAttachmentBytes(client, { ...pointer, size: pointer.size - ATTACHMENT_CHUNK_BYTES }))).toBe('TAMPERED');
    client.close();
  });

  it('refuses downloads of unknown or incomplete blobs, uploads at the wrong offset, and appends by others', async () => {
    const alice = await registered();
    const mallory = await registered();
    const client = await phone(alice);
    const other = await phone(mallory);
    const blobId = await client.createBlob(1000);
    expect(await rejection(client.getBlobChunk(blobId, 0, 100))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(client.putBlobChunk(blobId, 10, new Uint8Array(10)))).toBe('BLOB_OFFSET');
    expect(await rejection(other.putBlobChunk(blobId, 0, new Uint8Array(10)))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(client.putBlobChunk(blobId, 0, new Uint8Array(1001)))).toBe('TOO_LARGE');
    expect(await rejection(client.getBlobChunk('A'.repeat(43), 0, 100))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(client.createBlob(2 * 1024 * 1024 * 1024))).toBe('MALFORMED');
    client.close();
    other.close();
  });

  it('needs an authenticated connection', async () => {
    const anonymous = await openClient(relay.url);
    expect(await rejection(anonymous.createBlob(100))).toBe('UNAUTHENTICATED');
    expect(await rejection(anonymous.getBlobChunk('A'.repeat(43), 0, 100))).toBe('UNAUTHENTICATED');
    anonymous.close();
  });

  it('answers garbage blob frames with MALFORMED and keeps the connection', async () => {
    const alice = await registered();
    const client = await phone(alice);
    // Hand-built frames on a raw socket: the relay must answer each under its request id.
    const ws = new (await import('ws')).WebSocket(relay.url);
    const answers: unknown[] = [];
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.on('message', (data: Buffer) => answers.push(data));
    const bad = [
      { v: 1, t: 'blob-put', r: 7, b: 'short', o: 0, d: new Uint8Array(1) },
      { v: 1, t: 'blob-get', r: 8, b: 'A'.repeat(43), o: -1, n: 10 },
      { v: 1, t: 'blob-create', r: 9, s: 'big' },
      { v: 1, t: 'blob-put', r: 10, b: 'A'.repeat(43), o: 0, d: new Uint8Array(RELAY_BLOB_TRANSFER_BYTES + 1) },
    ];
    for (const frame of bad) ws.send(encodeCbor(frame));
    await expect.poll(() => answers.length, { timeout: 5000 }).toBe(bad.length);
    const { decodeRelayFrame } = await import('../src/shared/wire/frames');
    const decoded = answers.map((a) => decodeRelayFrame(new Uint8Array(a as Buffer)));
    expect(decoded.map((f) => (f.t === 'err' ? [f.r, f.c] : f.t))).toEqual([
      [7, 'MALFORMED'],
      [8, 'MALFORMED'],
      [9, 'MALFORMED'],
      [10, 'MALFORMED'],
    ]);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
    client.close();
  });

  it('expires blobs after the retention time, like queued envelopes', async () => {
    const alice = await registered();
    const client = await phone(alice);
    const plain = photo(1000);
    const pointer = await uploadAttachment(client, plain.length, pieces(plain));
    await relay.advanceClock(RELAY_BLOB_RETENTION_MS - 60_000);
    expect(same(await downloadAttachmentBytes(client, pointer), plain)).toBe(true);
    client.close();
    await relay.advanceClock(2 * 60_000);
    const later = await phone(alice);
    expect(await rejection(downloadAttachmentBytes(later, pointer))).toBe('BLOB_NOT_FOUND');
    later.close();
  });
});
