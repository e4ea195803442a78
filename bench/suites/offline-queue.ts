/**
 * Suite 2: the relay's durable offline queue. Many senders queue envelopes for one registered
 * but offline device (each sender under the relay's per-connection burst, as on a ward where
 * many colleagues write to someone off shift); we time until every send is acknowledged as
 * stored (fsync'd group commits), then the device reconnects with the product's RelayClient
 * and acks each envelope as it arrives, and we time the drain.
 *
 * The relay runs in its own process; the clients run here.
 */
import WebSocket from 'ws';
import type { EnvelopeId } from '../../src/shared/protocol/ids';
import { relayAuthSigner } from '../../src/shared/wire/relay-auth';
import { RelayClient } from '../../src/shared/wire/relay-client';
import { RELAY_RATE_PER_SECOND } from '../../src/shared/limits';
import type { Measurement } from '../harness/measurement';
import { ServerProcess } from '../harness/server-process';
import { loadFleet, type FleetDevice } from '../load/device-fleet';
import type { DeliverySink } from '../load/load-device';
import { RelayDevice } from '../load/relay-device';

export interface QueueOptions {
  readonly envelopes: number;
  readonly senders: number;
  /** Sends in flight per sender. */
  readonly window: number;
  readonly persistTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly log: (line: string) => void;
}

export const QUEUE_FULL: Omit<QueueOptions, 'log'> = {
  envelopes: 100_000,
  senders: 200,
  window: 32,
  persistTimeoutMs: 120_000,
  drainTimeoutMs: 30_000,
};
export const QUEUE_QUICK: Omit<QueueOptions, 'log'> = {
  envelopes: 1000,
  senders: 10,
  window: 16,
  persistTimeoutMs: 20_000,
  drainTimeoutMs: 10_000,
};

interface QueueRun {
  readonly persistMs: number;
  readonly stored: number;
  readonly sendErrors: Record<string, number>;
  readonly drainMs: number;
  readonly drained: number;
  readonly drainClose: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The recipient, as the product connects it (full frame validation, ack after each envelope). */
async function connectRecipient(url: string, device: FleetDevice, publish: boolean): Promise<RelayClient> {
  const client = await RelayClient.connect({ url, connect: (u) => new WebSocket(u, { perMessageDeflate: false }) });
  if (publish) await client.publishDeviceList(device.deviceList);
  await client.authenticate(device.accountId, device.deviceId, relayAuthSigner(device.signingKey));
  return client;
}

async function connectSenders(
  url: string,
  fleet: readonly FleetDevice[],
  ciphertext: Uint8Array,
  sinkFor: (i: number) => DeliverySink,
): Promise<RelayDevice[]> {
  const out: RelayDevice[] = [];
  // Publishers first: a device authenticates only once its account's list is known.
  for (const publishing of [true, false]) {
    const batch = fleet.map((f, i) => ({ f, i })).filter(({ f }) => f.publishesList === publishing);
    out.push(...(await Promise.all(batch.map(({ f, i }) => RelayDevice.connect(url, f, ciphertext, sinkFor(i))))));
  }
  return out;
}

async function runQueue(o: QueueOptions, relayArgs: readonly string[]): Promise<QueueRun> {
  const server = await ServerProcess.start('relay', { relayArgs });
  const clients: { close(): void }[] = [];
  try {
    // The recipient is the first device of an account of its own (it publishes that account's list).
    const recipientIndex = o.senders + (o.senders % 2);
    const fleet = loadFleet(recipientIndex + 2);
    const recipient = fleet[recipientIndex]!;
    const first = await connectRecipient(server.url, recipient, true);
    first.close();
    await sleep(100);

    const ciphertext = new Uint8Array(1024).fill(7);
    const perSender = Math.ceil(o.envelopes / o.senders);
    let stored = 0;
    let answered = 0;
    let seq = 0;
    const sendErrors: Record<string, number> = {};
    const remaining = new Array<number>(o.senders).fill(perSender);
    let senders: RelayDevice[] = [];
    let resolveAll: () => void = () => undefined;
    const allAnswered = new Promise<void>((resolve) => (resolveAll = resolve));
    const total = perSender * o.senders;
    const sendNext = (i: number) => {
      if (remaining[i]! <= 0) return;
      remaining[i]!--;
      senders[i]!.sendTo(recipient.deviceId, seq++);
    };
    const sinkFor = (i: number): DeliverySink => ({
      delivered: () => undefined,
      closed: () => undefined,
      sendAnswered: (code) => {
        answered++;
        if (code === undefined) stored++;
        else sendErrors[code] = (sendErrors[code] ?? 0) + 1;
        sendNext(i);
        if (answered === total) resolveAll();
      },
    });
    senders = await connectSenders(server.url, fleet.slice(0, o.senders), ciphertext, sinkFor);
    clients.push(...senders);
    const t0 = performance.now();
    for (let i = 0; i < o.senders; i++) for (let k = 0; k < o.window; k++) sendNext(i);
    await Promise.race([allAnswered, sleep(o.persistTimeoutMs)]);
    const persistMs = performance.now() - t0;
    for (const s of senders) s.close();

    // The device comes back: time until everything queued has been delivered (and acked).
    let drained = 0;
    let drainClose: string | undefined;
    const t1 = performance.now();
    const seen = new Set<EnvelopeId>();
    let resolveDrained: () => void = () => undefined;
    const allDrained = new Promise<void>((resolve) => (resolveDrained = resolve));
    const client = await RelayClient.connect({ url: server.url, connect: (u) => new WebSocket(u, { perMessageDeflate: false }) });
    clients.push(client);
    client.on('envelope', ({ id }) => {
      client.ack(id);
      if (seen.has(id)) return;
      seen.add(id);
      if (++drained >= stored) resolveDrained();
    });
    client.on('error', ({ error }) => (drainClose ??= error.code));
    client.on('close', ({ code }) => {
      drainClose = `${drainClose ? `${drainClose}, ` : ''}closed ${code}`;
      resolveDrained();
    });
    await client.authenticate(recipient.accountId, recipient.deviceId, relayAuthSigner(recipient.signingKey));
    await Promise.race([allDrained, sleep(o.drainTimeoutMs)]);
    const drainMs = performance.now() - t1;
    return { persistMs, stored, sendErrors, drainMs, drained, drainClose };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

export async function runOfflineQueue(o: QueueOptions): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const add = (r: QueueRun, label: string, note?: string) => {
    const c = `${o.envelopes.toLocaleString('en-US')} queued${label}`;
    const errors = Object.entries(r.sendErrors).map(([k, v]) => `${k}×${v}`).join(' ');
    out.push(
      { suite: 'queue', case: c, metric: 'persisted (fsync group commit)', value: (r.stored * 1000) / r.persistMs, unit: 'env/s', ...(errors ? { note: errors } : {}) },
      { suite: 'queue', case: c, metric: 'stored', value: r.stored, unit: 'env', target: { op: '>=', value: o.envelopes } },
      {
        suite: 'queue',
        case: c,
        metric: 'drain to reconnecting device',
        value: r.drainMs / 1000,
        unit: 's',
        ...(r.drained < r.stored ? { note: `incomplete: stopped after ${r.drained}` } : note ? { note } : {}),
      },
      { suite: 'queue', case: c, metric: 'drain rate', value: (r.drained * 1000) / r.drainMs, unit: 'env/s' },
      {
        suite: 'queue',
        case: c,
        metric: 'delivered on reconnect',
        value: r.drained,
        unit: 'env',
        target: { op: '>=', value: r.stored },
        ...(r.drainClose ? { note: r.drainClose } : {}),
      },
    );
  };
  const normal = await runQueue(o, []);
  o.log(`  queue: stored ${normal.stored} in ${(normal.persistMs / 1000).toFixed(1)} s, drained ${normal.drained} in ${(normal.drainMs / 1000).toFixed(1)} s`);
  add(normal, '');
  if (normal.drained < normal.stored) {
    // Every ack is a frame under the connection's token bucket: a device draining faster than
    // RELAY_RATE_PER_SECOND gets its acks refused. Measure the queue itself without that limit.
    const rate = String(o.envelopes * 10);
    const unthrottled = await runQueue(o, ['--rate', rate, '--burst', rate]);
    o.log(`  queue (rate limit lifted): drained ${unthrottled.drained} in ${(unthrottled.drainMs / 1000).toFixed(1)} s`);
    add(unthrottled, ', rate limit lifted', `acks not throttled at ${RELAY_RATE_PER_SECOND}/s`);
  }
  return out;
}
