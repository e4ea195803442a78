/**
 * Two (and for the crash test three) real relay processes sharing one real redis-server:
 * delivery across nodes, queues that follow a device to another node, prekeys handed out once,
 * the desktop session limit, revocation, pairing rendezvous, a dead node, Redis missing at start
 * and garbage in Redis.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../src/shared/bytes';
import { HOUR_MS } from '../src/shared/limits';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { signWipeCommand } from '../src/shared/wire/wipe-command';
import { freeLoopbackPort, spawnRedisServer, type RedisServerProcess } from '../server/cluster/testing/redis-server';
import { closed, connectDevice, Inbox, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let redis: RedisServerProcess;
let inspect: Redis;
/** A plain client to look into Redis (and plant garbage); quiet while Redis is down on purpose. */
const inspector = (url: string) => new Redis(url).on('error', () => undefined);
let nodeA: RelayProcess;
let nodeB: RelayProcess;

const node = (name: string, extra: readonly string[] = []) =>
  spawnRelay({ args: ['--redis', redis.url, '--node-id', name, '--test-clock', '--presence-ttl-ms', '3000', ...extra] });

beforeAll(async () => {
  redis = await spawnRedisServer({ appendOnly: true });
  inspect = inspector(redis.url);
  [nodeA, nodeB] = await Promise.all([node('node-a'), node('node-b')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([nodeA.stop(), nodeB.stop()]);
  inspect.disconnect();
  await redis.stop();
});

async function published(via: RelayProcess, ...kinds: ('phone' | 'desktop')[]) {
  const account = new TestAccount();
  const devices = kinds.map((k) => account.addDevice(k));
  const c = await openClient(via.url);
  await c.publishDeviceList(account.nextList());
  c.close();
  return { account, devices };
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const queued = (deviceId: string) => inspect.xlen(`wl:q:${deviceId}`);

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await settle(50);
  }
  throw new Error(`not reached: ${what}`);
}

describe('routing across relay nodes', () => {
  it('delivers from a device on node A to a device on node B; the ack empties the stream', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const phoneClient = await connectDevice(nodeA.url, account, phone);
    const deskClient = await connectDevice(nodeB.url, account, desk);
    const inbox = new Inbox(deskClient);
    const envelopes = Array.from({ length: 5 }, () => sealedEnvelope(desk.keys.deviceId));
    for (const e of envelopes) expect(await phoneClient.send(e.bytes)).toMatch(/stored|delivered/);
    await inbox.waitFor(5);
    expect(inbox.received.map((r) => r.id).sort()).toEqual(envelopes.map((e) => e.id).sort());
    // And back: node B to node A.
    const phoneInbox = new Inbox(phoneClient);
    await deskClient.send(sealedEnvelope(phone.keys.deviceId).bytes);
    await phoneInbox.waitFor(1);
    await eventually(async () => (await queued(desk.keys.deviceId)) === 0 && (await queued(phone.keys.deviceId)) === 0, 'acked envelopes removed');
    expect(nodeA.logs() + nodeB.logs()).not.toMatch(/"level":50/);
    phoneClient.close();
    deskClient.close();
  });

  it('queues for an offline device and delivers exactly once when it reconnects to the other node', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    // The desktop was last connected to node A, then went away.
    const first = await connectDevice(nodeA.url, account, desk);
    const gone = closed(first);
    first.close();
    await gone;
    await settle(100);

    const phoneClient = await connectDevice(nodeA.url, account, phone);
    const envelopes = Array.from({ length: 6 }, () => sealedEnvelope(desk.keys.deviceId));
    for (const e of envelopes) expect(await phoneClient.send(e.bytes)).toBe('stored');
    // A resend of an envelope still queued is not queued twice.
    expect(await phoneClient.send(envelopes[0]!.bytes)).toBe('stored');
    expect(await queued(desk.keys.deviceId)).toBe(6);

    // Reconnects to node B without acking: everything arrives, nothing is forgotten.
    const noAck = await connectDevice(nodeB.url, account, desk);
    const unacked = new Inbox(noAck, false);
    await unacked.waitFor(6);
    const left = closed(noAck);
    noAck.close();
    await left;
    expect(await queued(desk.keys.deviceId)).toBe(6);

    // Back on node A, it acks: each envelope once, then none again anywhere.
    const again = await connectDevice(nodeA.url, account, desk);
    const inbox = new Inbox(again);
    await inbox.waitFor(6);
    await settle(400);
    expect(inbox.received).toHaveLength(6);
    expect(new Set(inbox.received.map((r) => r.id))).toEqual(new Set(envelopes.map((e) => e.id)));
    await eventually(async () => (await queued(desk.keys.deviceId)) === 0, 'queue drained');
    const done = closed(again);
    again.close();
    await done;
    const later = await connectDevice(nodeB.url, account, desk);
    const none = new Inbox(later);
    await settle(400);
    expect(none.received).toHaveLength(0);
    later.close();
    phoneClient.close();
  });

  it('moves a device that connects to another node: the old connection is closed as replaced', async () => {
    const { account, devices } = await published(nodeB, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const old = await connectDevice(nodeA.url, account, desk);
    const replaced = closed(old);
    const now = await connectDevice(nodeB.url, account, desk);
    expect((await replaced).code).toBe(CLOSE_CODES.REPLACED);
    const inbox = new Inbox(now);
    const phoneClient = await connectDevice(nodeA.url, account, phone);
    await phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes);
    await inbox.waitFor(1);
    phoneClient.close();
    now.close();
  });
});

describe('directory across nodes', () => {
  it('hands each one-time prekey out once when both nodes are asked at the same time', async () => {
    const { account, devices } = await published(nodeA, 'phone');
    const phone = devices[0]!;
    const owner = await connectDevice(nodeB.url, account, phone);
    await owner.putSignedPrekey(new Uint8Array(96).fill(7));
    const keys = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, key: randomBytes(32) }));
    expect(await owner.putOneTimePrekeys(keys)).toBe(20);

    const asker = await published(nodeA, 'phone');
    const onA = await connectDevice(nodeA.url, asker.account, asker.devices[0]!);
    const other = await published(nodeB, 'phone');
    const onB = await connectDevice(nodeB.url, other.account, other.devices[0]!);
    const requests = Array.from({ length: 30 }, (_, i) => (i % 2 ? onB : onA).getPrekeyBundles(account.accountId));
    const answers = await Promise.all(requests);
    const handed = answers.flatMap((bundles) => bundles.flatMap((b) => (b.oneTimePrekey ? [b.oneTimePrekey.id] : [])));
    expect(handed).toHaveLength(20);
    expect(new Set(handed).size).toBe(20);
    expect(answers.every((bundles) => bundles.length === 1 && bundles[0]!.signedPrekey.length === 96)).toBe(true);
    expect(await owner.countOneTimePrekeys()).toBe(0);
    for (const c of [owner, onA, onB]) c.close();
  });

  it('a device list published on one node authorises the device on the other; a revocation there wipes it', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const deskClient = await connectDevice(nodeB.url, account, desk);
    const wiped = new Promise<Uint8Array>((resolve) => deskClient.on('wipe', (w) => resolve(w.command)));
    const deskClosed = closed(deskClient);
    const phoneClient = await connectDevice(nodeA.url, account, phone);
    account.removeDevice(desk.keys.deviceId);
    await phoneClient.publishDeviceList(account.nextList(), [signWipeCommand(account.identity, desk.keys.deviceId, Date.now())]);
    expect((await wiped).length).toBeGreaterThan(0);
    expect((await deskClosed).code).toBe(CLOSE_CODES.REVOKED);
    await expect(phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes)).rejects.toMatchObject({ code: 'REVOKED' });
    // A stale list sent to the other node is refused there too.
    const c = await openClient(nodeB.url);
    account.version -= 1;
    await expect(c.publishDeviceList(account.nextList())).rejects.toMatchObject({ code: 'STALE_DEVICE_LIST' });
    c.close();
    phoneClient.close();
  });
});

describe('pairing rendezvous across nodes', () => {
  const channelId = () => toBase64Url(randomBytes(16));
  const nextMessage = (client: RelayClient) =>
    new Promise<Uint8Array>((resolve) => {
      const off = client.on('rendezvous-message', (m) => {
        off();
        resolve(m.message);
      });
    });
  const nextClose = (client: RelayClient) => new Promise<string>((resolve) => client.on('rendezvous-closed', (e) => resolve(e.reason)));

  it('joins a desktop on node A and a phone on node B, both ways, two parties only, one-shot', async () => {
    const id = channelId();
    const desktop = await openClient(nodeA.url);
    const phone = await openClient(nodeB.url);
    expect(await desktop.openRendezvous(id)).toBe(1);
    await desktop.sendRendezvous(id, new Uint8Array([9]));
    const peerJoined = new Promise<void>((resolve) => desktop.on('rendezvous-peer', () => resolve()));
    const early = nextMessage(phone);
    expect(await phone.openRendezvous(id)).toBe(2);
    await peerJoined;
    expect([...(await early)]).toEqual([9]);

    const toDesktop = nextMessage(desktop);
    await phone.sendRendezvous(id, new Uint8Array([1, 2, 3]));
    expect([...(await toDesktop)]).toEqual([1, 2, 3]);
    const toPhone = nextMessage(phone);
    await desktop.sendRendezvous(id, new Uint8Array([4]));
    expect([...(await toPhone)]).toEqual([4]);

    const third = await openClient(nodeA.url);
    await expect(third.openRendezvous(id)).rejects.toMatchObject({ code: 'RENDEZVOUS_FULL' });
    const phoneSawClose = nextClose(phone);
    desktop.closeRendezvous(id);
    expect(await phoneSawClose).toBe('closed');
    await expect(phone.sendRendezvous(id, new Uint8Array([5]))).rejects.toMatchObject({ code: 'RENDEZVOUS_CLOSED' });
    await expect(third.openRendezvous(id)).rejects.toMatchObject({ code: 'RENDEZVOUS_CLOSED' });
    for (const c of [desktop, phone, third]) c.close();
  });

  it('tells the party on one node when the other leaves from the other node', async () => {
    const id = channelId();
    const desktop = await openClient(nodeB.url);
    const phone = await openClient(nodeA.url);
    await desktop.openRendezvous(id);
    await phone.openRendezvous(id);
    const left = nextClose(desktop);
    phone.close();
    expect(await left).toBe('peer-left');
    desktop.close();
  });
});

describe('bad input from Redis', () => {
  it('skips and removes a corrupted queue entry, ignores garbage on the cluster channels, keeps serving', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const stream = `wl:q:${desk.keys.deviceId}`;
    await inspect.xadd(stream, '*', 'e', 'not-an-id', 'x', 'soon', 'b', '');
    await inspect.xadd(stream, '*', 'garbage', Buffer.from([0xff, 0x00, 0x13]));
    await inspect.publish('wl:node:node-b', Buffer.from([0xa1, 0x61, 0x6b, 0x63, 0x65, 0x6e, 0x76]));
    await inspect.publish('wl:dir', 'not cbor at all');
    await inspect.hset('wl:dev', 'ffffffffffffffffffffffffffffffff', 'garbage');

    const phoneClient = await connectDevice(nodeA.url, account, phone);
    const good = sealedEnvelope(desk.keys.deviceId);
    expect(await phoneClient.send(good.bytes)).toBe('stored');
    const deskClient = await connectDevice(nodeB.url, account, desk);
    const inbox = new Inbox(deskClient);
    await inbox.waitFor(1);
    await settle(300);
    expect(inbox.received.map((r) => r.id)).toEqual([good.id]);
    await eventually(async () => (await queued(desk.keys.deviceId)) === 0, 'garbage removed, good one acked');
    expect(nodeB.logs()).toContain('STORE_CORRUPT');
    expect(nodeB.child.exitCode).toBeNull();
    expect(((await nodeB.health()) as { status: string }).status).toBe('ok');
    deskClient.close();
    phoneClient.close();
  });
});

describe('a node dies', () => {
  it('keeps serving on node B; a device of the dead node reconnects to B and gets what was sent meanwhile', async () => {
    const nodeC = await node('node-c');
    const { account, devices } = await published(nodeC, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const onC = await connectDevice(nodeC.url, account, desk);
    const phoneClient = await connectDevice(nodeB.url, account, phone);
    const inboxOnC = new Inbox(onC);
    await phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes);
    await inboxOnC.waitFor(1);
    // Its ack reached node C (acks are not answered): only then is the first envelope done.
    await eventually(async () => (await queued(desk.keys.deviceId)) === 0, 'first envelope acked on node C');

    expect(await nodeC.stop('SIGKILL')).toBe('SIGKILL');
    // Node C's presence claim is still in Redis: the envelope is published to a dead node and stays queued.
    const meanwhile = sealedEnvelope(desk.keys.deviceId);
    expect(await phoneClient.send(meanwhile.bytes)).toBe('stored');
    const moved = await connectDevice(nodeB.url, account, desk);
    const inbox = new Inbox(moved);
    await inbox.waitFor(1);
    expect(inbox.received.map((r) => r.id)).toEqual([meanwhile.id]);
    // Node B serves new accounts as before.
    await published(nodeB, 'phone');
    moved.close();
    phoneClient.close();
  }, 30_000);
});

describe('desktop session limit across nodes (test clocks)', () => {
  it('ends a desktop at six hours from its first authorisation, whichever node it reconnects to', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const desk = devices[1]!;
    await Promise.all([nodeA.advanceClock(6 * HOUR_MS - 60_000), nodeB.advanceClock(6 * HOUR_MS - 60_000)]);
    // Authorised through node A; node B never saw the publication and still knows when it ends.
    const onB = await connectDevice(nodeB.url, account, desk);
    const end = closed(onB);
    await nodeB.advanceClock(60_000);
    expect((await end).code).toBe(CLOSE_CODES.SESSION_EXPIRED);
    await nodeA.advanceClock(60_000);
    await expect(connectDevice(nodeA.url, account, desk)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(connectDevice(nodeB.url, account, desk)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });
});

describe('Redis restarts under running nodes', () => {
  it('keeps connections up; an acknowledged envelope survives (append-only file) and delivery resumes', async () => {
    const { account, devices } = await published(nodeA, 'phone', 'desktop');
    const [phone, desk] = devices as [NonNullable<(typeof devices)[0]>, NonNullable<(typeof devices)[0]>];
    const offline = sealedEnvelope(phone.keys.deviceId);
    const deskClient = await connectDevice(nodeB.url, account, desk);
    expect(await deskClient.send(offline.bytes)).toBe('stored');
    // Connected but never acking: what it is given stays queued.
    const phoneClient = await connectDevice(nodeA.url, account, phone);

    await redis.kill();
    // Nodes stay up; a send meanwhile is not acknowledged as stored unless Redis came back to take it.
    const during = sealedEnvelope(desk.keys.deviceId);
    const duringResult = phoneClient.send(during.bytes).then(
      (how) => how,
      () => 'refused' as const,
    );
    await settle(300);
    expect(nodeA.child.exitCode).toBeNull();
    expect(nodeB.child.exitCode).toBeNull();
    expect(((await nodeA.health()) as { status: string }).status).toBe('ok');
    redis = await spawnRedisServer({ appendOnly: true, reuse: { dir: redis.dir, port: redis.port } });
    inspect.disconnect();
    inspect = inspector(redis.url);

    // The desktop stayed connected to node B through the outage and gets what is sent now.
    const inbox = new Inbox(deskClient);
    const after = sealedEnvelope(desk.keys.deviceId);
    await eventually(async () => (await phoneClient.send(after.bytes).catch(() => 'refused')) === 'stored', 'send accepted again', 15_000);
    const outcome = await duringResult;
    await inbox.waitFor(outcome === 'stored' ? 2 : 1, 15_000);
    expect(inbox.received.map((r) => r.id)).toContain(after.id);
    if (outcome === 'stored') expect(inbox.received.map((r) => r.id)).toContain(during.id);
    // The envelope acknowledged before the crash is still queued for the phone.
    const phoneAgain = await connectDevice(nodeB.url, account, phone);
    const phoneInbox = new Inbox(phoneAgain);
    await phoneInbox.waitFor(1, 10_000);
    expect(phoneInbox.received.map((r) => r.id)).toContain(offline.id);
    deskClient.close();
    phoneAgain.close();
  }, 60_000);
});

describe('Redis unavailable at start', () => {
  it('exits with a clear STORE_UNAVAILABLE error, no stack trace and no password in the output', async () => {
    const port = await freeLoopbackPort();
    const started = spawnRelay({ args: ['--redis', `redis://:hunter2-secret@127.0.0.1:${port}`] });
    const error = await started.then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(error).toBeDefined();
    expect(error).toMatch(/relay exited \(1\)/);
    expect(error).toMatch(/STORE_UNAVAILABLE: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(error).not.toContain('hunter2-secret');
    expect(error).not.toMatch(/\n\s+at /);
  }, 30_000);
});
