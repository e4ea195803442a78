import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDeviceId, newEnvelopeId } from '../../src/shared/protocol/ids';
import type { QueuedEnvelope, Settlement } from '../stores/envelope-queue';
import { connectRedis, type RedisLink } from './redis-link';
import { RedisQueue } from './redis-queue';
import { spawnRedisServer, type RedisServerProcess } from './testing/redis-server';

const log = pino({ level: 'silent' });
let redis: RedisServerProcess;
const links: RedisLink[] = [];

beforeAll(async () => {
  redis = await spawnRedisServer({ appendOnly: true });
}, 20_000);
afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
  await redis.stop();
});

async function queue(name: string, maxPerDevice = 100) {
  const link = await connectRedis(redis.url, name, log);
  links.push(link);
  const q = new RedisQueue(link, maxPerDevice, log);
  const offered: QueuedEnvelope[] = [];
  q.delivery = { offer: (e) => offered.push(e) };
  return { q, offered, link };
}

function enqueue(q: RedisQueue, deviceId = newDeviceId(), id = newEnvelopeId(), expiresAt = Date.now() + 60_000) {
  const settled = new Promise<Settlement>((resolve) => q.enqueue(deviceId, id, expiresAt, new Uint8Array([1, 2, 3]), resolve));
  return { deviceId, id, settled };
}

describe('Redis envelope queue', () => {
  it('settles a sender only once the envelope is in Redis, and keeps it across a Redis crash (append-only file)', async () => {
    const { q } = await queue('q-a');
    const sent = enqueue(q);
    expect(await sent.settled).toBe('stored');

    await redis.kill();
    redis = await spawnRedisServer({ appendOnly: true, reuse: { dir: redis.dir, port: redis.port } });
    const { q: after, offered } = await queue('q-b');
    after.track(sent.deviceId);
    await after.load(sent.deviceId);
    expect(offered.map((e) => e.envelopeId)).toEqual([sent.id]);
    expect(after.page(sent.deviceId, 0, 10).map((e) => e.envelopeId)).toEqual([sent.id]);
  }, 30_000);

  it('refuses a duplicate once, and forgets an envelope for good once acked', async () => {
    const { q } = await queue('q-c');
    const first = enqueue(q);
    expect(await first.settled).toBe('stored');
    const again = enqueue(q, first.deviceId, first.id);
    expect(await again.settled).toBe('stored');
    const r = links.at(-1)!.commands;
    expect(await r.xlen(`wl:q:${first.deviceId}`)).toBe(1);
    q.ack(first.deviceId, first.id);
    await r.ping();
    expect(await r.xlen(`wl:q:${first.deviceId}`)).toBe(0);
    expect(await r.zscore('wl:qexp', `${first.deviceId}/${first.id}`)).toBeNull();
  });

  it('does not settle the sender of an envelope for a full queue on another node', async () => {
    const { q } = await queue('q-d', 1);
    const deviceId = newDeviceId();
    expect(await enqueue(q, deviceId).settled).toBe('stored');
    let settled = false;
    q.enqueue(deviceId, newEnvelopeId(), Date.now() + 60_000, new Uint8Array([1]), () => (settled = true));
    await links.at(-1)!.commands.ping();
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(await links.at(-1)!.commands.xlen(`wl:q:${deviceId}`)).toBe(1);
  });

  it('removes an unreadable stream entry with a logged code and still delivers the rest', async () => {
    const link = await connectRedis(redis.url, 'q-f', log);
    links.push(link);
    const lines: string[] = [];
    const q = new RedisQueue(link, 100, pino({ level: 'error' }, { write: (line: string) => lines.push(line) }));
    const offered: QueuedEnvelope[] = [];
    q.delivery = { offer: (e) => offered.push(e) };
    const deviceId = newDeviceId();
    await link.commands.xadd(`wl:q:${deviceId}`, '*', 'e', 'not-an-envelope-id', 'x', '1', 'b', 'x');
    const good = enqueue(q, deviceId);
    expect(await good.settled).toBe('stored');
    q.track(deviceId);
    await q.load(deviceId);
    expect(offered.map((e) => e.envelopeId)).toEqual([good.id]);
    expect(await link.commands.xlen(`wl:q:${deviceId}`)).toBe(1);
    expect(lines.map((l) => (JSON.parse(l) as { code?: string }).code)).toEqual(['STORE_CORRUPT']);
    expect(lines.join('')).not.toContain('not-an-envelope-id');
  });

  it('removes expired envelopes from Redis', async () => {
    const { q, link } = await queue('q-e');
    const old = enqueue(q, newDeviceId(), newEnvelopeId(), Date.now() + 1000);
    await old.settled;
    q.expire(Date.now() + 2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await link.commands.xlen(`wl:q:${old.deviceId}`)).toBe(0);
  });
});
