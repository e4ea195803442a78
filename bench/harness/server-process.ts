/**
 * The servers under test, each in its own process on 127.0.0.1 with a fresh data directory:
 * the real relay through its CLI, and the bare forwarder baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeChild, type SpawnOptions } from './child-process';
import { readCpuMs, readRssKiB } from './process-stats';

/** With --profile: event-loop stalls and GC pauses are logged too (bench/load/stall-monitor.ts). */
const STALL_MONITOR = ['--import', 'tsx', '--import', './bench/load/stall-monitor.ts'];

/** `bare-ack`: the bare forwarder with end-to-end acks (bench/load/bare-forwarder.ts --acks). */
export type ServerKind = 'bare' | 'bare-ack' | 'relay';

/** `npm run bench -- --relay-args="--synchronous normal"`: what-if runs with other relay options. */
function extraRelayArgs(): string[] {
  return (process.env.WARDLINE_BENCH_RELAY_ARGS ?? '').split(/\s+/).filter(Boolean);
}

export class ServerProcess {
  private constructor(
    readonly kind: ServerKind,
    readonly url: string,
    private readonly child: NodeChild,
    private readonly dataDir: string | undefined,
  ) {}

  static async start(kind: ServerKind, options: { relayArgs?: readonly string[]; spawn?: SpawnOptions } = {}): Promise<ServerProcess> {
    if (kind !== 'relay') {
      const profileDir = process.env.WARDLINE_BENCH_PROFILE_DIR;
      const spawn = profileDir ? { ...options.spawn, nodeFlags: [...(options.spawn?.nodeFlags ?? []), '--cpu-prof', `--cpu-prof-dir=${profileDir}/${kind}`, ...STALL_MONITOR] } : options.spawn;
      const child = new NodeChild('bench/load/bare-forwarder.ts', ['--max-seconds', '900', ...(kind === 'bare-ack' ? ['--acks'] : [])], spawn);
      const m = await child.waitForLine(/listening on (ws:\/\/127\.0\.0\.1:\d+)/, 30_000);
      return new ServerProcess(kind, m[1]!, child, undefined);
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'wardline-bench-relay-'));
    // `npm run bench -- --profile DIR` writes a V8 CPU profile of every relay process there.
    const profileDir = process.env.WARDLINE_BENCH_PROFILE_DIR;
    const nodeFlags = [
      // What-if runs with V8 options (e.g. "--max-semi-space-size=4"); see docs/performance.md.
      ...(process.env.WARDLINE_BENCH_RELAY_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
      ...(options.spawn?.nodeFlags ?? []),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/relay`, ...STALL_MONITOR] : []),
    ];
    const child = new NodeChild(
      'server/cli.ts',
      // The fleets register thousands of accounts from 127.0.0.1; the per-address new-account limit
      // would refuse all but the first burst (a later --new-accounts-burst still overrides this).
      ['--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn', '--new-accounts-burst', '1000000', ...extraRelayArgs(), ...(options.relayArgs ?? [])],
      { ...options.spawn, nodeFlags },
    );
    try {
      const m = await child.waitForLine(/Wardline relay listening on (ws:\/\/127\.0\.0\.1:\d+)/, 30_000);
      return new ServerProcess(kind, m[1]!, child, dataDir);
    } catch (error) {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  rssKiB(): number {
    return readRssKiB(this.pid) ?? Number.NaN;
  }

  cpuMs(): number {
    return readCpuMs(this.pid) ?? Number.NaN;
  }

  tail(): string {
    return this.child.tail();
  }

  async stop(): Promise<void> {
    await this.child.stop(5000);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
