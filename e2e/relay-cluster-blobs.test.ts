/**
 * Attachment blobs across two real relay processes sharing one real redis-server and one blob
 * directory: a chunked upload through node A read byte for byte through node B, an upload
 * started on A resumed on B, owner-only appends, and expiry that removes the blob from both
 * nodes, from Redis and from the directory (while a sweep elsewhere leaves live blobs alone).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_BLOB_RETENTION_MS, RELAY_BLOB_TRANSFER_BYTES } from '../src/shared/limits';
import { RelayError } from '../src/shared/wire/relay-error';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { spawnRedisServer, type RedisServerProcess } from '../server/cluster/testing/redis-server';
import { closed, connectDevice, openClient, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let redis: RedisServerProcess;
let inspect: Redis;
let blobDir: string;
let nodeA: RelayProcess;
let nodeB: RelayProcess;

const node = (name: string) => spawnRelay({ args: ['--redis', redis.url, '--node-id', name, '--test-clock', '--blob-dir', blobDir] });

beforeAll(async () => {
  redis = await spawnRedisServer();
  inspect = new Redis(redis.url).on('error', () => undefined);
  blobDir = mkdtempSync(join(tmpdir(), 'wardline-shared-blobs-'));
  [nodeA, nodeB] = await Promise.all([node('blob-a'), node('blob-b')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([nodeA.stop(), nodeB.stop()]);
  inspect.disconnect();
  await redis.stop();
});

/** A phone of a new account (published through `via`), or another connection of an existing one. */
async function phoneOn(via: RelayProcess, existing?: TestAccount) {
  const account = existing ?? new TestAccount();
  if (!existing) {
    account.addDevice('phone');
    const c = await openClient(via.url);
    await c.publishDeviceList(account.nextList());
    c.close();
  }
  return { account, client: await connectDevice(via.url, account, account.devices[0]!) };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RelayError) return e.code;
    throw e;
  }
  return 'resolved';
}

async function upload(client: RelayClient, id: string, bytes: Uint8Array, from = 0, to = bytes.length): Promise<number> {
  let received = from;
  for (let o = from; o < to; o += RELAY_BLOB_TRANSFER_BYTES) received = await client.putBlobChunk(id, o, bytes.subarray(o, Math.min(to, o + RELAY_BLOB_TRANSFER_BYTES)));
  return received;
}

async function download(client: RelayClient, id: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const { data, size } = await client.getBlobChunk(id, offset, RELAY_BLOB_TRANSFER_BYTES);
    parts.push(data);
    offset += data.length;
    if (offset >= size || data.length === 0) break;
  }
  return Buffer.concat(parts);
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not reached: ${what}`);
}

describe('attachment blobs across relay nodes', () => {
  it('uploads in chunks through node A and downloads byte-identical through node B', async () => {
    const { client: a } = await phoneOn(nodeA);
    const { client: reader } = await phoneOn(nodeB);
    const bytes = randomBytes(3 * RELAY_BLOB_TRANSFER_BYTES + 1234);
    const id = await a.createBlob(bytes.length);
    // Pipelined, as the attachment client sends: every piece leaves before the first is answered.
    const pieces = [];
    for (let o = 0; o < bytes.length; o += RELAY_BLOB_TRANSFER_BYTES) pieces.push(a.putBlobChunk(id, o, bytes.subarray(o, o + RELAY_BLOB_TRANSFER_BYTES)));
    expect((await Promise.all(pieces)).at(-1)).toBe(bytes.length);
    expect(await reader.blobStatus(id)).toEqual({ received: bytes.length, size: bytes.length });
    expect(same(await download(reader, id), bytes)).toBe(true);
    // The bytes sit in the shared directory, not in Redis.
    expect(statSync(join(blobDir, id)).size).toBe(bytes.length);
    expect(await inspect.hget(`wl:blob:${id}`, 'n')).toBe(String(bytes.length));
    a.close();
    reader.close();
  });

  it('resumes on node B an upload that node A started, at the offset A reached', async () => {
    const { account, client: a } = await phoneOn(nodeA);
    const bytes = randomBytes(4 * RELAY_BLOB_TRANSFER_BYTES);
    const id = await a.createBlob(bytes.length);
    await upload(a, id, bytes, 0, 2 * RELAY_BLOB_TRANSFER_BYTES);
    const gone = closed(a);
    a.close();
    await gone;

    const { client: b } = await phoneOn(nodeB, account);
    expect(await b.blobStatus(id)).toEqual({ received: 2 * RELAY_BLOB_TRANSFER_BYTES, size: bytes.length });
    // Incomplete: nobody can read it yet, on either node.
    expect(await rejection(b.getBlobChunk(id, 0, 10))).toBe('BLOB_NOT_FOUND');
    // A gap is refused; a repeat of the last piece is harmless.
    expect(await rejection(b.putBlobChunk(id, 3 * RELAY_BLOB_TRANSFER_BYTES, bytes.subarray(3 * RELAY_BLOB_TRANSFER_BYTES)))).toBe('BLOB_OFFSET');
    expect(await b.putBlobChunk(id, RELAY_BLOB_TRANSFER_BYTES, bytes.subarray(RELAY_BLOB_TRANSFER_BYTES, 2 * RELAY_BLOB_TRANSFER_BYTES))).toBe(
      2 * RELAY_BLOB_TRANSFER_BYTES,
    );
    expect(await upload(b, id, bytes, 2 * RELAY_BLOB_TRANSFER_BYTES)).toBe(bytes.length);

    const { client: readerA } = await phoneOn(nodeA);
    expect(same(await download(readerA, id), bytes)).toBe(true);
    b.close();
    readerA.close();
  });

  it('lets only the owner append, whichever node the other device uses', async () => {
    const { client: owner } = await phoneOn(nodeA);
    const { client: other } = await phoneOn(nodeB);
    const id = await owner.createBlob(100);
    expect(await rejection(other.putBlobChunk(id, 0, new Uint8Array(100)))).toBe('BLOB_NOT_FOUND');
    expect(await other.blobStatus(id)).toEqual({ received: 0, size: 100 });
    expect(await rejection(other.getBlobChunk(id, 0, 100))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(other.getBlobChunk('A'.repeat(43), 0, 100))).toBe('BLOB_NOT_FOUND');
    // A path in place of an id never reaches the directory: the frame schema refuses it.
    expect(await rejection(other.blobStatus('../../etc/passwd'))).toBe('MALFORMED');
    owner.close();
    other.close();
  });

  it('refuses --blob-dir without --redis (a single node keeps its own index and files)', async () => {
    await expect(spawnRelay({ args: ['--blob-dir', blobDir] })).rejects.toThrow(/--blob-dir needs --redis/);
  });

  it('expires a blob from both nodes, Redis and the directory; a sweep on the other node keeps live blobs', async () => {
    const { client: a } = await phoneOn(nodeA);
    const { client: b } = await phoneOn(nodeB);
    const bytes = randomBytes(5000);
    const id = await a.createBlob(bytes.length);
    await upload(a, id, bytes);
    // Node B sweeps with its clock just short of the expiry: nothing of node A's goes.
    await nodeB.advanceClock(RELAY_BLOB_RETENTION_MS - 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(blobDir, id))).toBe(true);
    expect(same(await download(a, id), bytes)).toBe(true);

    await nodeB.advanceClock(120_000);
    await eventually(() => !existsSync(join(blobDir, id)), 'file removed');
    await eventually(async () => (await inspect.exists(`wl:blob:${id}`)) === 0, 'index entry removed');
    expect(await inspect.zscore('wl:blobs:exp', id)).toBeNull();
    expect(await rejection(a.getBlobChunk(id, 0, 10))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(b.getBlobChunk(id, 0, 10))).toBe('BLOB_NOT_FOUND');
    expect(await rejection(b.blobStatus(id))).toBe('BLOB_NOT_FOUND');
    // Every file left in the directory still has its index entry.
    for (const name of readdirSync(blobDir)) expect(await inspect.exists(`wl:blob:${name}`)).toBe(1);
    expect(nodeA.logs() + nodeB.logs()).not.toMatch(/"level":50/);
    a.close();
    b.close();
  });
});
