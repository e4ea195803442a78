import { describe, expect, it } from 'vitest';
import type { EnvelopeId } from '../src/shared/protocol/ids';
import { connectDevice, Inbox, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

async function setup(relay: RelayProcess) {
  const sender = new TestAccount();
  const recipient = new TestAccount();
  sender.addDevice('phone');
  recipient.addDevice('phone');
  const c = await openClient(relay.url);
  await c.publishDeviceList(sender.nextList());
  await c.publishDeviceList(recipient.nextList());
  c.close();
  return { sender, recipient };
}

/** Reconnects the recipient to `relay` and returns every envelope id it receives until quiet. */
async function drain(relay: RelayProcess, account: TestAccount, expected: number): Promise<EnvelopeId[]> {
  const client = await connectDevice(relay.url, account, account.devices[0]!);
  const inbox = new Inbox(client);
  await inbox.waitFor(expected, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  client.close();
  return inbox.received.map((e) => e.id);
}

describe('durability (real relay processes)', () => {
  it('a graceful restart (SIGTERM) keeps every queued envelope, in order', async () => {
    let relay = await spawnRelay();
    const { sender, recipient } = await setup(relay);
    const client = await connectDevice(relay.url, sender, sender.devices[0]!);
    const to = recipient.devices[0]!.keys.deviceId;
    const ids: EnvelopeId[] = [];
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const env = sealedEnvelope(to);
      ids.push(env.id);
      acks.push(client.send(env.bytes));
    }
    await Promise.all(acks);
    client.close();
    expect(await relay.stop('SIGTERM')).toBe(0);
    relay = await spawnRelay({ dataDir: relay.dataDir });
    expect(await drain(relay, recipient, ids.length)).toEqual(ids);
    await relay.stop();
  });

  it.each([
    ['an online recipient that never acks (held in memory, then written)', true],
    ['an offline recipient (group commit, WAL fsync off the event loop)', false],
  ])('kill -9 in the middle of traffic loses no envelope that was acked to its sender: %s', async (_, online) => {
    let relay = await spawnRelay();
    const { sender, recipient } = await setup(relay);
    const client = await connectDevice(relay.url, sender, sender.devices[0]!);
    // An online recipient that never acks, so envelopes sit in the queue and in flight.
    if (online) new Inbox(await connectDevice(relay.url, recipient, recipient.devices[0]!), false);
    const to = recipient.devices[0]!.keys.deviceId;
    const acked: EnvelopeId[] = [];
    let killed = false;
    const sends: Promise<void>[] = [];
    // 900 pipelined sends: under the default burst of 1000 frames, so none is rate limited.
    for (let i = 0; i < 900; i++) {
      const env = sealedEnvelope(to, { size: 200 });
      sends.push(
        client.send(env.bytes).then(
          () => {
            if (!killed) acked.push(env.id);
          },
          () => undefined,
        ),
      );
    }
    // Crash the relay once a good part of the traffic was acknowledged, with the rest in flight.
    for (let i = 0; i < 600 && acked.length < 300; i++) await new Promise((r) => setTimeout(r, 10));
    await relay.stop('SIGKILL');
    killed = true;
    await Promise.all(sends);
    expect(acked.length).toBeGreaterThan(100);
    relay = await spawnRelay({ dataDir: relay.dataDir });
    const received = new Set(await drain(relay, recipient, acked.length));
    const lost = acked.filter((id) => !received.has(id));
    expect(lost).toEqual([]);
    await relay.stop();
  });
});
