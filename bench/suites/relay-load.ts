/**
 * Suite 1: the relay under load, side by side with the bare forwarder and the acking forwarder
 * (the bare one plus end-to-end acks: the relay's frame pattern and nothing else). For each
 * connection count: start the server process, open N authenticated device connections from a
 * separate load-generator process, read the server's RSS once it is idle (cost per connection),
 * check routing with a warm-up round, then a steady rate and a closed-loop maximum. Throughput
 * is compared as wardline ÷ bare (the target) and wardline ÷ acking, from the same run.
 */
import type { Measurement } from '../harness/measurement';
import { median } from '../harness/percentiles';
import { ServerProcess, type ServerKind } from '../harness/server-process';
import { openFilesLimit, readCpuMs } from '../harness/process-stats';
import { ensureFleet } from '../load/device-fleet';
import { LoadGeneratorProcess } from '../load/load-generator-process';
import type { z } from 'zod';
import type { zPhaseResult } from '../load/load-protocol';

type PhaseResult = z.infer<typeof zPhaseResult>;

export interface RelayLoadOptions {
  readonly connections: readonly number[];
  readonly steadyRate: number;
  readonly steadyMs: number;
  readonly maxMs: number;
  /** Envelopes in flight in the closed-loop maximum. */
  readonly window: number;
  readonly ciphertextBytes: number;
  readonly settleMs: number;
  /** How long the server sits idle before each RSS reading (the minimum of samples over this time). */
  readonly idleMs: number;
  readonly log: (line: string) => void;
}

export const RELAY_LOAD_FULL: Omit<RelayLoadOptions, 'log'> = {
  connections: [1000, 10_000],
  steadyRate: 2000,
  steadyMs: 5000,
  maxMs: 5000,
  window: 2000,
  ciphertextBytes: 1024,
  settleMs: 1500,
  idleMs: 1000,
};

export const RELAY_LOAD_QUICK: Omit<RelayLoadOptions, 'log'> = {
  connections: [20],
  steadyRate: 200,
  steadyMs: 400,
  maxMs: 400,
  window: 20,
  ciphertextBytes: 1024,
  settleMs: 100,
  idleMs: 200,
};

/** Relay targets from issue 6. */
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;
const TARGET_IDLE_KIB = 20;
const TARGET_P99_AT_CONNECTIONS = 10_000;

interface RunResult {
  readonly kind: ServerKind;
  readonly connections: number;
  readonly setupMs: number;
  /**
   * (RSS with N idle connections − RSS before the first) ÷ N: an upper bound, since it includes
   * the process's one-time growth (V8 grows its young generation to 16 MiB while accepting
   * connections, ≈ 20 MB).
   */
  readonly idleKiBPerConnection: number;
  /**
   * What each further idle connection costs. N connects in five equal steps with an RSS reading
   * after each; this is the median of the last four increments ÷ the step size. The one-time
   * growth lands in the first step, and the median ignores a step in which V8 resized its heap.
   * RSS moves by a few MB on its own, so this is only printed for steps of MIN_MARGINAL_STEP.
   */
  readonly marginalKiBPerConnection: number;
  readonly memoryStep: number;
  readonly steady: PhaseResult;
  readonly max: PhaseResult;
  /** Server CPU use during the maximum phase, in % of one core. */
  readonly maxCpuPercent: number;
  /** The load generator's, to tell whether it (rather than the server) was the limit. */
  readonly maxGeneratorCpuPercent: number;
  /** CPU time per envelope of the maximum phase (µs), server and generator: robust to other load on the machine. */
  readonly serverCpuUsPerEnvelope: number;
  readonly generatorCpuUsPerEnvelope: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Connections are opened in this many steps, with an RSS reading after each (marginal memory). */
const MEMORY_STEPS = 5;
/** Smaller steps put the marginal figure inside RSS noise (±2 MB ÷ 200 connections = ±10 KiB). */
const MIN_MARGINAL_STEP = 1000;

async function minRss(server: ServerProcess, samples: number, gapMs: number): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    min = Math.min(min, server.rssKiB());
    if (i < samples - 1) await sleep(gapMs);
  }
  return min;
}

async function runOne(gen: LoadGeneratorProcess, kind: ServerKind, connections: number, o: RelayLoadOptions): Promise<RunResult> {
  const server = await ServerProcess.start(kind);
  try {
    await sleep(o.settleMs);
    const rssBefore = await minRss(server, 3, 100);
    const connect = async (from: number, count: number) => {
      const connected = await gen.request(
        { kind: 'connect', target: kind, url: server.url, from, count, concurrency: kind === 'relay' ? 64 : 256, ciphertextBytes: o.ciphertextBytes },
        'connected',
        // Registration is bound by pure-JS Ed25519 verification at the relay (~3 per device).
        120_000 + 40 * count,
      );
      if (connected.failed > 0) throw new Error(`${kind}: ${connected.failed} of ${count} connections failed (${connected.firstError ?? ''})\n${server.tail()}`);
      return connected.setupMs;
    };
    const idleRss = async () => {
      await sleep(o.idleMs / 2);
      return minRss(server, 3, o.idleMs / 6);
    };
    // Steps of whole accounts (two devices each); the last one takes the remainder.
    const step = Math.max(2, 2 * Math.floor(connections / (2 * MEMORY_STEPS)));
    const readings: number[] = [];
    let setupMs = 0;
    for (let from = 0; from < connections; ) {
      const count = from + 2 * step > connections ? connections - from : step;
      setupMs += await connect(from, count);
      from += count;
      readings.push(await idleRss());
    }
    o.log(`  ${kind} N=${connections}: connected in ${(setupMs / 1000).toFixed(1)} s`);
    const rssIdle = readings[readings.length - 1]!;
    const increments = readings.slice(1).map((r, i) => r - readings[i]!);
    const drainMs = 10_000;
    const warm = await gen.request({ kind: 'warmup', perDevice: 1, drainMs }, 'phase', 60_000);
    if (warm.result.lost > 0) o.log(`  ${kind} N=${connections}: warm-up lost ${warm.result.lost} envelopes`);
    // The warm-up is a burst (every device at once): let its garbage and timers settle first.
    await sleep(o.settleMs);
    const steadyFrom = process.hrtime.bigint() / 1000n;
    const steady = await gen.request({ kind: 'steady', rate: o.steadyRate, durationMs: o.steadyMs, drainMs }, 'phase', o.steadyMs + drainMs + 30_000);
    if (process.env.WARDLINE_BENCH_PROFILE_DIR) {
      o.log(`  ${kind} N=${connections}: steady phase window: --from ${steadyFrom} --to ${steadyFrom + BigInt(Math.round(steady.result.measuredMs * 1000))}`);
    }
    await sleep(o.settleMs);
    const cpuBefore = server.cpuMs();
    const genCpuBefore = readCpuMs(gen.pid) ?? Number.NaN;
    const wallBefore = performance.now();
    const monoBefore = process.hrtime.bigint() / 1000n;
    const max = await gen.request(
      { kind: 'max', window: o.window, durationMs: o.maxMs, drainMs, capacity: Math.ceil((o.maxMs / 1000) * 400_000) },
      'phase',
      o.maxMs + drainMs + 30_000,
    );
    const cpuAfter = server.cpuMs();
    const genCpuAfter = readCpuMs(gen.pid) ?? Number.NaN;
    const wallAfter = performance.now();
    // CPU profiles are stamped with the same monotonic clock: this window isolates the maximum phase.
    if (process.env.WARDLINE_BENCH_PROFILE_DIR) {
      o.log(`  ${kind} N=${connections}: max phase window for bench/profile-top.ts: --from ${monoBefore} --to ${process.hrtime.bigint() / 1000n}`);
    }
    o.log(`  ${kind} N=${connections}: steady ${steady.result.deliveredPerSecond.toFixed(0)}/s, max ${max.result.deliveredPerSecond.toFixed(0)}/s`);
    return {
      kind,
      connections,
      setupMs,
      idleKiBPerConnection: (rssIdle - rssBefore) / connections,
      marginalKiBPerConnection: increments.length ? median(increments) / step : Number.NaN,
      memoryStep: step,
      steady: steady.result,
      max: max.result,
      // Averaged over the phase and its drain, so a little below the peak.
      maxCpuPercent: ((cpuAfter - cpuBefore) / (wallAfter - wallBefore)) * 100,
      maxGeneratorCpuPercent: ((genCpuAfter - genCpuBefore) / (wallAfter - wallBefore)) * 100,
      serverCpuUsPerEnvelope: ((cpuAfter - cpuBefore) * 1000) / max.result.delivered,
      generatorCpuUsPerEnvelope: ((genCpuAfter - genCpuBefore) * 1000) / max.result.delivered,
    };
  } finally {
    await gen.request({ kind: 'close' }, 'closed', 30_000).catch(() => undefined);
    await server.stop();
  }
}

const SERVER_NAMES: Record<ServerKind, string> = { bare: 'bare ws', 'bare-ack': 'acking ws', relay: 'wardline' };

function rows(r: RunResult, o: RelayLoadOptions, baselines: { bare?: RunResult; acking?: RunResult }): Measurement[] {
  const isRelay = r.kind === 'relay';
  const name = SERVER_NAMES[r.kind];
  const c = (label: string) => `${name} N=${r.connections} ${label}`;
  const m = (label: string, metric: string, value: number, unit: string, target?: Measurement['target'], note?: string): Measurement => ({
    suite: 'relay',
    case: c(label),
    metric,
    value,
    unit,
    ...(target ? { target } : {}),
    ...(note ? { note } : {}),
  });
  const errors = (p: PhaseResult) => Object.entries(p.errors).map(([k, v]) => `${k}×${v}`).join(' ');
  const lostNote = (p: PhaseResult) => [errors(p), p.closedConnections ? `${p.closedConnections} closed` : ''].filter(Boolean).join(', ') || undefined;
  const p99Target = isRelay && r.connections >= TARGET_P99_AT_CONNECTIONS ? { op: '<' as const, value: TARGET_P99_MS } : undefined;
  const out: Measurement[] = [
    m('idle', 'setup (connect + auth)', r.setupMs / 1000, 's'),
    m('idle', 'RSS per idle connection', r.idleKiBPerConnection, 'KiB', isRelay ? { op: '<', value: TARGET_IDLE_KIB } : undefined),
    ...(r.memoryStep >= MIN_MARGINAL_STEP ? [m('idle', 'RSS per further connection (marginal)', r.marginalKiBPerConnection, 'KiB')] : []),
    m(`@${o.steadyRate}/s`, 'delivered', r.steady.deliveredPerSecond, 'env/s'),
    m(`@${o.steadyRate}/s`, 'latency p50', r.steady.latencyMs.p50, 'ms'),
    m(`@${o.steadyRate}/s`, 'latency p99', r.steady.latencyMs.p99, 'ms', p99Target),
    m(`@${o.steadyRate}/s`, 'latency max', r.steady.latencyMs.max, 'ms'),
    m(`@${o.steadyRate}/s`, 'lost', r.steady.lost, 'env', isRelay ? { op: '=', value: 0 } : undefined, lostNote(r.steady)),
    m('max', 'delivered', r.max.deliveredPerSecond, 'env/s'),
    m('max', 'latency p50', r.max.latencyMs.p50, 'ms'),
    m('max', 'latency p99', r.max.latencyMs.p99, 'ms'),
    m('max', 'lost', r.max.lost, 'env', isRelay ? { op: '=', value: 0 } : undefined, lostNote(r.max)),
    m('max', 'server CPU', r.maxCpuPercent, '% core'),
    m('max', 'load generator CPU', r.maxGeneratorCpuPercent, '% core'),
    m('max', 'server CPU per envelope', r.serverCpuUsPerEnvelope, 'µs'),
    m('max', 'generator CPU per envelope', r.generatorCpuUsPerEnvelope, 'µs'),
  ];
  // What a ratio would be with both processes CPU-bound on a quiet 2-core machine: less
  // sensitive to other load than the measured ratio (see docs/performance.md, Method).
  const cpu = (x: RunResult) => x.serverCpuUsPerEnvelope + x.generatorCpuUsPerEnvelope;
  const { bare, acking } = baselines;
  if (bare && r.kind !== 'bare') {
    out.push(m('max', 'throughput ÷ bare', r.max.deliveredPerSecond / bare.max.deliveredPerSecond, '×', isRelay ? { op: '>=', value: TARGET_RATIO } : undefined));
    out.push(m('max', `CPU per envelope, bare ÷ ${name}`, cpu(bare) / cpu(r), '×'));
  }
  if (acking && isRelay) {
    out.push(m('max', 'throughput ÷ acking', r.max.deliveredPerSecond / acking.max.deliveredPerSecond, '×'));
    out.push(m('max', 'CPU per envelope, acking ÷ wardline', cpu(acking) / cpu(r), '×'));
  }
  return out;
}

export async function runRelayLoad(o: RelayLoadOptions): Promise<Measurement[]> {
  const fdLimit = openFilesLimit();
  const out: Measurement[] = [];
  for (const requested of o.connections) {
    // Each process holds one fd per connection plus a few dozen of its own.
    const connections = Math.min(requested, fdLimit - 200);
    if (connections < requested) o.log(`  open-files limit ${fdLimit}: N=${requested} reduced to ${connections} (raise ulimit -n)`);
    const t0 = performance.now();
    if (ensureFleet(connections)) o.log(`  generated ${connections} device identities in ${((performance.now() - t0) / 1000).toFixed(1)} s (cached in bench/.cache)`);
    // One load generator for both servers: the same process drives the same load at each.
    const gen = await LoadGeneratorProcess.start();
    try {
      const bare = await runOne(gen, 'bare', connections, o);
      out.push(...rows(bare, o, {}));
      const acking = await runOne(gen, 'bare-ack', connections, o);
      out.push(...rows(acking, o, { bare }));
      const relay = await runOne(gen, 'relay', connections, o);
      out.push(...rows(relay, o, { bare, acking }));
    } finally {
      await gen.stop();
    }
  }
  return out;
}
