/**
 * Test support: a real relay in a child process (`node --import tsx server/cli.ts`), on
 * loopback, with a temporary data directory. Used by the cross-process tests in e2e/ and
 * available to other suites that need a relay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LISTENING = /Wardline relay listening on (wss?:\/\/\S+)/;

export interface RelayProcess {
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the relay wrote to stderr (its structured logs) so far. */
  logs(): string;
  health(): Promise<Record<string, unknown>>;
  /** Only with `--test-clock`: moves the relay's clock and runs its time rules at once. */
  advanceClock(ms: number): Promise<void>;
  /** SIGTERM (graceful) or SIGKILL (crash); resolves with the exit code or signal. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | string | null>;
}

export interface SpawnRelayOptions {
  readonly dataDir?: string;
  /** Extra CLI flags, e.g. ['--test-clock', '--desktop-session-ms', '1000']. */
  readonly args?: readonly string[];
  /** Reuse a port (restart tests); default 0 = any free port. */
  readonly port?: number;
}

export async function spawnRelay(options: SpawnRelayOptions = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wardline-relay-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/cli.ts', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--data', dataDir, ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr.slice(-2000)}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = LISTENING.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code}): ${stderr.slice(-2000)}`));
    });
  });
  const port = Number(/:(\d+)$/.exec(url)![1]);
  const httpUrl = url.replace(/^ws/, 'http');

  return {
    url,
    httpUrl,
    port,
    dataDir,
    child,
    logs: () => stderr,
    health: async () => (await (await fetch(`${httpUrl}/health`)).json()) as Record<string, unknown>,
    advanceClock: async (ms) => {
      const res = await fetch(`${httpUrl}/test/clock?advance=${ms}`, { method: 'POST' });
      if (!res.ok) throw new Error(`advanceClock: HTTP ${res.status}`);
    },
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
