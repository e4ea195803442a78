import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock';
import { DESKTOP_SESSION_MS, RELAY_MAX_ATTESTATIONS_PER_ACCOUNT } from '../../src/shared/limits';
import { newDeviceId, type AccountId, type DeviceId } from '../../src/shared/protocol/ids';
import { CLOSE_CODES } from '../../src/shared/wire/close-codes';
import type { OfflineQueue } from '../offline-queue';
import type { Router } from '../router';
import { Sessions } from '../sessions';
import { decodeClusterMessage } from './cluster-messages';
import { RedisDirectory } from './redis-directory';
import { connectRedis, type RedisLink } from './redis-link';
import { spawnRedisServer, type RedisServerProcess } from './testing/redis-server';

const log = pino({ level: 'silent' });
let redis: RedisServerProcess;
const links: RedisLink[] = [];

async function node(name: string): Promise<RedisDirectory> {
  const link = await connectRedis(redis.url, name, log);
  links.push(link);
  const directory = await RedisDirectory.open(link, log);
  link.onMessage((_c, bytes) => {
    const m = decodeClusterMessage(bytes);
    if (m.k === 'dir') directory.receive(m);
  });
  return directory;
}

const accountId = () => randomBytes(16).toString('hex') as AccountId;
const account = (id: AccountId, version: number) => ({ accountId: id, identityKey: new Uint8Array(32).fill(1), version, list: new Uint8Array([version]) });
const device = (a: AccountId, kind: 'phone' | 'desktop' = 'phone') => ({
  deviceId: newDeviceId(),
  accountId: a,
  kind,
  signingKey: new Uint8Array(32).fill(2),
  authorisedAt: 1000,
  state: 'active' as const,
});

beforeAll(async () => {
  redis = await spawnRedisServer();
}, 20_000);
afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
  await redis.stop();
});

describe('Redis directory shared by two nodes', () => {
  it('lets only one of two concurrent lists with the same version win, on both nodes', async () => {
    const [a, b] = [await node('dir-a'), await node('dir-b')];
    const id = accountId();
    a.transaction(() => a.saveAccount(account(id, 1)));
    await a.written();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.account(id)?.version).toBe(1);

    const da = device(id);
    const db = device(id);
    a.transaction(() => {
      a.saveAccount({ ...account(id, 2), list: new Uint8Array([0xa]) });
      a.addDevice(da);
    });
    b.transaction(() => {
      b.saveAccount({ ...account(id, 2), list: new Uint8Array([0xb]) });
      b.addDevice(db);
    });
    const outcomes = await Promise.allSettled([a.written(), b.written()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = outcomes.findIndex((o) => o.status === 'rejected');
    expect((outcomes[loser] as PromiseRejectedResult).reason).toMatchObject({ code: 'STALE_DEVICE_LIST' });
    await new Promise((r) => setTimeout(r, 100));
    // Both nodes hold the winner's list.
    const winnerList = [...(outcomes[0].status === 'fulfilled' ? [0xa] : [0xb])];
    expect([...a.account(id)!.list]).toEqual(winnerList);
    expect([...b.account(id)!.list]).toEqual(winnerList);
  });

  it('retires a device on every node and enforces the attestation cap across nodes', async () => {
    const [a, b] = [await node('dir-c'), await node('dir-d')];
    const id = accountId();
    const desk = device(id, 'desktop');
    a.transaction(() => {
      a.saveAccount(account(id, 1));
      a.addDevice(desk);
    });
    await a.written();
    await new Promise((r) => setTimeout(r, 100));
    const retired: string[] = [];
    b.events.onRetired = (d, state) => retired.push(`${d}:${state}`);
    expect(b.device(desk.deviceId)?.state).toBe('active');
    a.retire(desk.deviceId, 'expired');
    await a.written();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.device(desk.deviceId)?.state).toBe('expired');
    expect(retired).toEqual([`${desk.deviceId}:expired`]);

    // Both nodes fill the account's attestations at once: Redis keeps the cap.
    const half = Math.ceil(RELAY_MAX_ATTESTATIONS_PER_ACCOUNT / 2) + 1;
    for (let i = 0; i < half; i++) {
      a.putAttestation(id, `a${i}`, new Uint8Array([i]));
      b.putAttestation(id, `b${i}`, new Uint8Array([i]));
    }
    await Promise.allSettled([a.written(), b.written()]);
    await new Promise((r) => setTimeout(r, 100));
    const fresh = await node('dir-e');
    expect(fresh.attestations(id)).toHaveLength(RELAY_MAX_ATTESTATIONS_PER_ACCOUNT);
  });

  it('skips entries it did not write when loading, and keeps the good ones', async () => {
    const a = await node('dir-f');
    const id = accountId();
    const good = device(id);
    a.transaction(() => {
      a.saveAccount(account(id, 1));
      a.addDevice(good);
    });
    await a.written();
    const r = links[0]!.commands;
    await r.hset('wl:dev', 'not-an-id', 'x', 'ffffffffffffffffffffffffffffffff', Buffer.from([0xff, 0xfe]));
    await r.hset('wl:devst', 'ffffffffffffffffffffffffffffffff', 'active');
    await r.hset('wl:acct', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'garbage');
    const fresh = await node('dir-g');
    expect(fresh.device(good.deviceId)?.accountId).toBe(id);
    expect(fresh.account(id)?.version).toBe(1);
    expect(fresh.device('ffffffffffffffffffffffffffffffff' as never)).toBeUndefined();
  });
});

/** Resolves once `check` holds (another node's broadcast arrives asynchronously). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sessions over a node's directory, recording what it drops and closes. */
function sessionsOn(directory: RedisDirectory, clock: FakeClock) {
  const dropped: DeviceId[] = [];
  const closed: [DeviceId, number][] = [];
  const sessions = new Sessions(directory, { dropDevice: (d: DeviceId) => dropped.push(d) } as unknown as OfflineQueue, clock, DESKTOP_SESSION_MS, log);
  sessions.router = { disconnect: (d: DeviceId, code: number) => closed.push([d, code]) } as unknown as Router;
  return { sessions, dropped, closed };
}

describe('desktop sessions on a node that learned the desktop from another node', () => {
  it('sweeps a desktop another node added after this one started, and one held when a node starts', async () => {
    const [a, b] = [await node('sweep-a'), await node('sweep-b')];
    const clock = new FakeClock(1000);
    const onB = sessionsOn(b, clock);
    const id = accountId();
    const desk = device(id, 'desktop');
    const phone = device(id);
    a.transaction(() => {
      a.saveAccount(account(id, 1));
      a.addDevice(phone);
      a.addDevice(desk);
    });
    await a.written();
    await until(() => b.device(desk.deviceId) !== undefined, 'the broadcast');
    expect([...b.desktops()].map((d) => d.deviceId)).toContain(desk.deviceId);
    expect([...b.desktops()].map((d) => d.deviceId)).not.toContain(phone.deviceId);

    // A node started now finds the desktop in its startup walk.
    const c = await node('sweep-c');
    const onC = sessionsOn(c, clock);
    expect([...c.desktops()].map((d) => d.deviceId)).toContain(desk.deviceId);

    clock.set(1000 + DESKTOP_SESSION_MS - 1);
    onB.sessions.sweep();
    expect(b.device(desk.deviceId)?.state).toBe('active');
    clock.advance(1);
    onB.sessions.sweep();
    expect(b.device(desk.deviceId)?.state).toBe('expired');
    expect(onB.closed).toEqual([[desk.deviceId, CLOSE_CODES.SESSION_EXPIRED]]);
    expect(onB.dropped).toEqual([desk.deviceId]);
    expect([...b.desktops()]).toEqual([]);
    await b.written();
    await until(() => a.device(desk.deviceId)?.state === 'expired', 'the retirement on the other node');
    expect([...a.desktops()].map((d) => d.deviceId)).not.toContain(desk.deviceId);

    // c may learn of the expiry first or sweep first: either way the session ends once on c.
    onC.sessions.sweep();
    expect(c.device(desk.deviceId)?.state).toBe('expired');
    expect(onC.dropped.length).toBeLessThanOrEqual(1);
    expect(b.device(phone.deviceId)?.state).toBe('active');
  });
});
