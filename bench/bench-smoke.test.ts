/**
 * CI runs every benchmark in quick mode (tiny sizes) so the benchmark code keeps working as
 * the product changes. Only shape and correctness are asserted (rows exist, figures are real
 * numbers, nothing is lost); timings and targets are never asserted here.
 */
import { describe, expect, it } from 'vitest';
import { SUITES } from './bench-suites';
import type { Measurement, SuiteName } from './harness/measurement';

const quiet = () => undefined;
const run = (suite: SuiteName) => SUITES[suite]({ quick: true, log: quiet });
const find = (rows: readonly Measurement[], metric: string, caseIncludes = '') =>
  rows.filter((r) => r.metric === metric && r.case.includes(caseIncludes));

// A memory figure is the difference of two RSS samples: with the handful of sockets of quick
// mode, the allocator returning pages can make it negative, so only its finiteness is checked.
const DIFFERENCE_METRICS = new Set(['RSS per idle connection', 'RSS per further connection (marginal)']);

function expectSaneRows(rows: readonly Measurement[], suite: SuiteName): void {
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(r.suite).toBe(suite);
    expect(Number.isFinite(r.value), `${r.case} / ${r.metric}`).toBe(true);
    if (!DIFFERENCE_METRICS.has(r.metric)) expect(r.value, `${r.case} / ${r.metric}`).toBeGreaterThanOrEqual(0);
  }
}

describe('benchmarks, quick mode', () => {
  it('relay: every server delivers everything it is sent', { timeout: 120_000 }, async () => {
    const rows = await run('relay');
    expectSaneRows(rows, 'relay');
    for (const server of ['bare ws', 'acking ws', 'wardline']) {
      for (const r of find(rows, 'delivered', server)) expect(r.value).toBeGreaterThan(0);
      for (const r of find(rows, 'lost', server)) expect(r.value, r.case).toBe(0);
    }
    expect(find(rows, 'throughput ÷ bare', 'wardline')[0]!.target).toEqual({ op: '>=', value: 0.7 });
    expect(find(rows, 'throughput ÷ acking', 'wardline')).toHaveLength(1);
    expect(find(rows, 'RSS per idle connection', 'wardline')[0]!.target).toEqual({ op: '<', value: 20 });
  });

  it('queue: every queued envelope is stored and delivered on reconnect', { timeout: 120_000 }, async () => {
    const rows = await run('queue');
    expectSaneRows(rows, 'queue');
    const stored = find(rows, 'stored')[0]!;
    expect(stored.value).toBe(stored.target?.value);
    expect(find(rows, 'delivered on reconnect')[0]!.value).toBe(stored.value);
  });

  it('client: ratchet, store, search and conversation open all report', { timeout: 120_000 }, async () => {
    const rows = await run('client');
    expectSaneRows(rows, 'client');
    expect(find(rows, 'encrypt+decrypt, one direction')[0]!.value).toBeGreaterThan(0);
    expect(find(rows, 'p99', 'FTS search')[0]!.target).toEqual({ op: '<', value: 50 });
    expect(find(rows, 'latest page of 50, first')[0]!.value).toBeGreaterThan(0);
    expect(find(rows, 'RSS (store opened, list, page, search)')[0]!.value).toBeGreaterThan(1);
  });

  it('pairing: desktops pair through the relay', { timeout: 120_000 }, async () => {
    const rows = await run('pairing');
    expectSaneRows(rows, 'pairing');
    expect(find(rows, 'median', 'ready desktop')[0]!.value).toBeGreaterThan(0);
    expect(find(rows, 'median, handshake', 'protocol only')[0]!.value).toBeGreaterThan(0);
  });
});
