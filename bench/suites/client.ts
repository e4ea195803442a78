/**
 * Suite 3: the client. Ratchet throughput through the session layer, then the SQLCipher store
 * with 100,000 messages (insert, full-text search, opening a 10,000-message conversation), then
 * a fresh process that opens that store as a desktop would, for its memory. Each part runs in
 * its own child process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { NodeChild } from '../harness/child-process';
import type { Measurement } from '../harness/measurement';

export interface ClientOptions {
  readonly ratchetMessages: number;
  readonly messages: number;
  readonly busyConversation: number;
  readonly singles: number;
  readonly queries: number;
  readonly opens: number;
  readonly log: (line: string) => void;
}

export const CLIENT_FULL: Omit<ClientOptions, 'log'> = {
  ratchetMessages: 300,
  messages: 100_000,
  busyConversation: 10_000,
  singles: 1000,
  queries: 300,
  opens: 100,
};
export const CLIENT_QUICK: Omit<ClientOptions, 'log'> = {
  ratchetMessages: 5,
  messages: 2000,
  busyConversation: 500,
  singles: 20,
  queries: 30,
  opens: 10,
};

const TARGET_SEARCH_P99_MS = 50;
const TARGET_OPEN_MS = 30;

const zSummary = z.object({ count: z.number(), p50: z.number(), p99: z.number(), max: z.number(), mean: z.number() });
const zRatchet = z.object({
  oneWayPerSecond: z.number(),
  alternatingPerSecond: z.number(),
  x25519PerSecond: z.number(),
  ed25519VerifyPerSecond: z.number(),
});
const zStore = z.object({
  fill: z.object({ messages: z.number(), ms: z.number(), busyConversationId: z.string() }),
  singles: z.number(),
  singlesMs: z.number(),
  search: z.object({ all: zSummary, byKind: z.record(z.string(), zSummary), hits: z.number() }),
  open: z.object({ first: z.number(), warm: zSummary }),
});
const zDesktop = z.object({
  rssBeforeKiB: z.number(),
  rssKiB: z.number(),
  openStoreMs: z.number(),
  listMs: z.number(),
  conversations: z.number(),
  firstOpenMs: z.number(),
  page: z.number(),
});

async function runChild<T>(schema: z.ZodType<T>, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<T> {
  const child = new NodeChild('bench/client/client-child.ts', args, { env });
  try {
    const m = await child.waitForLine(/^RESULT (.*)$/, timeoutMs);
    return schema.parse(JSON.parse(m[1]!));
  } finally {
    await child.stop();
  }
}

export async function runClient(o: ClientOptions): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const add = (c: string, metric: string, value: number, unit: string, target?: Measurement['target'], note?: string) =>
    out.push({ suite: 'client', case: c, metric, value, unit, ...(target ? { target } : {}), ...(note ? { note } : {}) });

  const ratchet = await runChild(zRatchet, ['ratchet', String(o.ratchetMessages)], {}, 120_000);
  add('session layer, 1 KiB', 'encrypt+decrypt, one direction', ratchet.oneWayPerSecond, 'msg/s');
  add('session layer, 1 KiB', 'encrypt+decrypt, alternating', ratchet.alternatingPerSecond, 'msg/s');
  add('@noble/curves (pure JS)', 'X25519 shared secret', ratchet.x25519PerSecond, 'op/s');
  add('@noble/curves (pure JS)', 'Ed25519 verify', ratchet.ed25519VerifyPerSecond, 'op/s');
  o.log(`  ratchet: ${ratchet.oneWayPerSecond.toFixed(0)} msg/s one way, ${ratchet.alternatingPerSecond.toFixed(0)} msg/s alternating`);

  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-bench-store-'));
  const env = {
    WARDLINE_BENCH_STORE_DIR: dataDir,
    WARDLINE_BENCH_STORE_ACCOUNT: randomBytes(16).toString('hex'),
    WARDLINE_BENCH_STORE_KEY: randomBytes(32).toString('hex'),
  };
  try {
    const n = o.messages.toLocaleString('en-US');
    const store = await runChild(
      zStore,
      ['store', String(o.messages), String(o.busyConversation), String(o.singles), String(o.queries), String(o.opens)],
      env,
      240_000,
    );
    o.log(`  store: ${n} messages in ${(store.fill.ms / 1000).toFixed(1)} s`);
    add(`SQLCipher store, ${n} msgs`, 'insert (batches of 500)', (store.fill.messages * 1000) / store.fill.ms, 'msg/s');
    add(`SQLCipher store, ${n} msgs`, `insert ${n} total`, store.fill.ms / 1000, 's');
    add(`SQLCipher store, ${n} msgs`, 'insert one by one (live)', (store.singles * 1000) / store.singlesMs, 'msg/s');
    add(`FTS search, ${n} msgs`, `median (${store.search.all.count} queries)`, store.search.all.p50, 'ms');
    add(`FTS search, ${n} msgs`, 'p99', store.search.all.p99, 'ms', { op: '<', value: TARGET_SEARCH_P99_MS });
    add(`FTS search, ${n} msgs`, 'max', store.search.all.max, 'ms');
    for (const [kind, s] of Object.entries(store.search.byKind)) add(`FTS search, ${n} msgs`, `p99 ${kind}`, s.p99, 'ms');
    const busy = o.busyConversation.toLocaleString('en-US');
    add(`open conversation (${busy} msgs)`, 'latest page of 50, first', store.open.first, 'ms', { op: '<', value: TARGET_OPEN_MS });
    add(`open conversation (${busy} msgs)`, 'latest page of 50, p99 warm', store.open.warm.p99, 'ms', { op: '<', value: TARGET_OPEN_MS });

    const desktop = await runChild(zDesktop, ['desktop-rss', store.fill.busyConversationId], env, 60_000);
    add(`desktop with ${n} msgs stored`, 'RSS (store opened, list, page, search)', desktop.rssKiB / 1024, 'MiB');
    add(`desktop with ${n} msgs stored`, 'RSS of bare Node process', desktop.rssBeforeKiB / 1024, 'MiB');
    add(`desktop with ${n} msgs stored`, 'open store (key, migrations)', desktop.openStoreMs, 'ms');
    add(`desktop with ${n} msgs stored`, `conversation list (${desktop.conversations})`, desktop.listMs, 'ms');
    add(`desktop with ${n} msgs stored`, 'open conversation, cold process', desktop.firstOpenMs, 'ms', { op: '<', value: TARGET_OPEN_MS });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}
