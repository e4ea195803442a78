import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EnvelopeId } from '../src/shared/protocol/ids';
import { newEnvelopeId } from '../src/shared/protocol/ids';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { encodeClientFrame } from '../src/shared/wire/frames';
import { relayAuthSigner } from '../src/shared/wire/relay-auth';
import { RelayClient } from '../src/shared/wire/relay-client';
import { closed, connectDevice, Inbox, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

// Default limits (500 frames/s, burst 1000): the drain must work under the product's own rate limit.
let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(async () => {
  await relay.stop();
});

async function accounts(n: number): Promise<TestAccount[]> {
  const out = Array.from({ length: n }, () => {
    const a = new TestAccount();
    a.addDevice('phone');
    return a;
  });
  const c = await openClient(relay.url);
  for (const a of out) await c.publishDeviceList(a.nextList());
  c.close();
  return out;
}

describe('queue drain and ack batching (real relay process)', () => {
  it('drains 5,000 queued envelopes to a reconnecting device under the default rate limit, in order, without a close', async () => {
    const [recipient, ...senders] = await accounts(11);
    const to = recipient!.devices[0]!.keys.deviceId;
    const ids: EnvelopeId[] = [];
    // Ten senders of 500 each: every sender stays under its own connection's burst.
    for (const sender of senders) {
      const client = await connectDevice(relay.url, sender, sender.devices[0]!);
      const sends: Promise<string>[] = [];
      for (let i = 0; i < 500; i++) {
        const env = sealedEnvelope(to, { size: 100 });
        ids.push(env.id);
        sends.push(client.send(env.bytes));
      }
      expect(new Set(await Promise.all(sends))).toEqual(new Set(['stored']));
      client.close();
    }
    expect((await relay.health()).queuedEnvelopes).toBe(5000);

    const client = await connectDevice(relay.url, recipient!, recipient!.devices[0]!);
    const closes: number[] = [];
    client.on('close', (e) => closes.push(e.code));
    const inbox = new Inbox(client);
    await inbox.waitFor(ids.length, 30_000);
    expect(inbox.received.map((e) => e.id)).toEqual(ids);
    // Every envelope acked: the queue empties and the connection is still up.
    for (let i = 0; i < 100 && (await relay.health()).queuedEnvelopes !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await relay.health()).queuedEnvelopes).toBe(0);
    expect(closes).toEqual([]);
    expect(client.isOpen).toBe(true);
    client.close();
  });

  it('also drains under the rate limit when the device acks each envelope in its own single-id frame (older clients)', async () => {
    const [recipient, ...senders] = await accounts(7);
    const to = recipient!.devices[0]!.keys.deviceId;
    const ids: EnvelopeId[] = [];
    for (const sender of senders) {
      const client = await connectDevice(relay.url, sender, sender.devices[0]!);
      const sends: Promise<string>[] = [];
      for (let i = 0; i < 500; i++) {
        const env = sealedEnvelope(to, { size: 100 });
        ids.push(env.id);
        sends.push(client.send(env.bytes));
      }
      await Promise.all(sends);
      client.close();
    }
    // 3,000 ack frames: three times the burst, at far more than 500 frames/s.
    let raw: WebSocket | undefined;
    const client = await RelayClient.connect({ url: relay.url, connect: (u) => (raw = new WebSocket(u)) });
    const device = recipient!.devices[0]!;
    await client.authenticate(recipient!.accountId, device.keys.deviceId, relayAuthSigner(device.keys.signing.secretKey));
    const closes: number[] = [];
    client.on('close', (e) => closes.push(e.code));
    // One listener: envelopes pushed before anyone listened are replayed to the first one only.
    const received: EnvelopeId[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('envelope', (e) => {
        received.push(e.id);
        raw!.send(encodeClientFrame({ t: 'ack', i: e.id }));
        if (received.length === ids.length) resolve();
      }),
    );
    await all;
    expect(received).toEqual(ids);
    for (let i = 0; i < 100 && (await relay.health()).queuedEnvelopes !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(closes).toEqual([]);
    expect((await relay.health()).queuedEnvelopes).toBe(0);
    client.close();
  });

  it('an online recipient that acks at once gets the envelope delivered without it being written', async () => {
    const [sender, recipient] = await accounts(2);
    const to = recipient!.devices[0]!.keys.deviceId;
    const tx = await connectDevice(relay.url, sender!, sender!.devices[0]!);
    const rx = await connectDevice(relay.url, recipient!, recipient!.devices[0]!);
    const inbox = new Inbox(rx);
    const results = await Promise.all(Array.from({ length: 20 }, () => tx.send(sealedEnvelope(to).bytes)));
    await inbox.waitFor(20);
    expect(new Set(results)).toEqual(new Set(['delivered']));
    expect((await relay.health()).queuedEnvelopes).toBe(0);
    tx.close();
    rx.close();
  });

  it('an unacked envelope for an online recipient is stored after the grace period and delivered again on reconnect', async () => {
    const [sender, recipient] = await accounts(2);
    const to = recipient!.devices[0]!.keys.deviceId;
    const tx = await connectDevice(relay.url, sender!, sender!.devices[0]!);
    const rx = await connectDevice(relay.url, recipient!, recipient!.devices[0]!);
    const silent = new Inbox(rx, false);
    const env = sealedEnvelope(to);
    expect(await tx.send(env.bytes)).toBe('stored');
    await silent.waitFor(1);
    rx.close();
    const again = await connectDevice(relay.url, recipient!, recipient!.devices[0]!);
    const inbox = new Inbox(again);
    await inbox.waitFor(1);
    expect(inbox.received.map((e) => e.id)).toEqual([env.id]);
    tx.close();
    again.close();
  });

  it('acks that release nothing are still rate limited: a flood of them is closed with 4429', async () => {
    const ws = new WebSocket(relay.url);
    const code = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const frame = encodeClientFrame({ t: 'ack', i: [newEnvelopeId(), newEnvelopeId()] });
    for (let i = 0; i < 1200 && ws.readyState === WebSocket.OPEN; i++) ws.send(frame);
    expect(await code).toBe(CLOSE_CODES.RATE_LIMITED);
  });

  it('the relay refuses an ack batch over RELAY_ACK_BATCH_MAX ids as malformed', async () => {
    const [account] = await accounts(1);
    const client = await connectDevice(relay.url, account!, account!.devices[0]!);
    const done = closed(client);
    // Through the client's own batching no frame can exceed the limit, so write one by hand.
    const ws = new WebSocket(relay.url);
    const code = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(encodeClientFrame({ t: 'ack', i: Array.from({ length: 257 }, () => newEnvelopeId()) }));
    // A well-formed map of the wrong shape gets an error frame, not a close; the relay keeps serving.
    const answer = await new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)));
    expect(answer.length).toBeGreaterThan(0);
    ws.close();
    await code;
    expect(client.isOpen).toBe(true);
    client.close();
    await done;
  });
});
