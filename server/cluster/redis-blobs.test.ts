import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock';
import { newDeviceId } from '../../src/shared/protocol/ids';
import { WardlineError } from '../../src/shared/errors';
import { RedisBlobStore } from './redis-blobs';
import { freeLoopbackPort, spawnRedisServer, type RedisServerProcess } from './testing/redis-server';

const log = pino({ level: 'silent' });
const options = { retentionMs: 1000, maxBlobBytes: 800, quotaBytesPerDevice: 1000 };
let redis: RedisServerProcess;
let inspect: Redis;
const stores: RedisBlobStore[] = [];

beforeAll(async () => {
  redis = await spawnRedisServer();
  inspect = new Redis(redis.url);
}, 20_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  inspect.disconnect();
  await redis.stop();
});

/** Two nodes: one Redis, one directory, each with its own clock. */
async function nodes() {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-redis-blobs-'));
  const clock = new FakeClock();
  const a = await RedisBlobStore.open(redis.url, dir, clock, options, log);
  const b = await RedisBlobStore.open(redis.url, dir, clock, options, log);
  stores.push(a, b);
  return { a, b, dir, clock };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WardlineError) return String(e.code);
    throw e;
  }
  return 'resolved';
}

describe('Redis blob index with a shared directory', () => {
  it('counts a device quota across nodes and frees it at expiry', async () => {
    const { a, b, clock } = await nodes();
    const owner = newDeviceId();
    await a.create(owner, 600);
    expect(await code(b.create(owner, 600))).toBe('QUOTA_EXCEEDED');
    expect(await code(b.create(owner, 801))).toBe('TOO_LARGE');
    await b.create(newDeviceId(), 600);
    clock.advance(1000);
    expect(typeof (await b.create(owner, 600))).toBe('string');
  });

  it('lets two nodes retry the same piece without corrupting the offset, and refuses gaps', async () => {
    const { a, b } = await nodes();
    const owner = newDeviceId();
    const id = await a.create(owner, 20);
    const piece = new Uint8Array(10).fill(7);
    expect(await Promise.all([a.put(owner, id, 0, piece), b.put(owner, id, 0, piece)])).toEqual([10, 10]);
    expect(await code(b.put(owner, id, 15, new Uint8Array(5)))).toBe('BLOB_OFFSET');
    expect(await code(b.put(owner, id, 10, new Uint8Array(11)))).toBe('TOO_LARGE');
    expect(await code(b.put(newDeviceId(), id, 10, new Uint8Array(10)))).toBe('BLOB_NOT_FOUND');
    expect(await code(a.read(id, 0, 20))).toBe('BLOB_NOT_FOUND');
    expect(await b.put(owner, id, 10, new Uint8Array(10).fill(9))).toBe(20);
    const { data, size } = await a.read(id, 5, 10);
    expect(size).toBe(20);
    expect([...data]).toEqual([7, 7, 7, 7, 7, 9, 9, 9, 9, 9]);
  });

  it('keeps pipelined pieces on one node in order (the next leaves before the last is answered)', async () => {
    const { a } = await nodes();
    const owner = newDeviceId();
    const id = await a.create(owner, 30);
    const pieces = [0, 10, 20].map((o) => a.put(owner, id, o, new Uint8Array(10).fill(o + 1)));
    expect(await Promise.all(pieces)).toEqual([10, 20, 30]);
    expect([...(await a.read(id, 0, 30)).data].filter((_, i) => i % 10 === 0)).toEqual([1, 11, 21]);
  });

  it('sweeps idempotently from both nodes: file and index entry gone, live blobs kept', async () => {
    const { a, b, dir, clock } = await nodes();
    const owner = newDeviceId();
    const old = await a.create(owner, 10);
    clock.advance(500);
    const young = await b.create(owner, 10);
    clock.advance(600);
    await Promise.all([a.sweep(clock.now()), b.sweep(clock.now())]);
    expect(existsSync(join(dir, old))).toBe(false);
    expect(await inspect.exists(`wl:blob:${old}`)).toBe(0);
    expect(await inspect.zscore(`wl:blobs:own:${owner}`, old)).toBeNull();
    expect(existsSync(join(dir, young))).toBe(true);
    expect(await b.status(young)).toEqual({ received: 0, size: 10 });
    expect(await code(a.status(old))).toBe('BLOB_NOT_FOUND');
  });

  it('reports a foreign index entry as STORE_CORRUPT and a missing Redis as STORE_UNAVAILABLE', async () => {
    const { a } = await nodes();
    const id = 'B'.repeat(43);
    await inspect.hset(`wl:blob:${id}`, 'o', 'not-a-device', 's', 'x');
    expect(await code(a.status(id))).toBe('STORE_CORRUPT');
    const port = await freeLoopbackPort();
    expect(await code(RedisBlobStore.open(`redis://127.0.0.1:${port}`, mkdtempSync(join(tmpdir(), 'wl-b-')), new FakeClock(), options, log))).toBe(
      'STORE_UNAVAILABLE',
    );
  });
});
