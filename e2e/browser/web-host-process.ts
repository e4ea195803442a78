/**
 * Test support: the web host (`src/web-host/cli.ts`, a real desktop core) in a child process on
 * loopback, with a temporary data directory; resolves once it printed its tokenised URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './fresh-build';

const PRINTED = /Wardline web host: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

export interface WebHostProcess {
  readonly url: string;
  readonly dataDir: string;
  /** Everything the host wrote to stderr (the core's structured logs) so far. */
  logs(): string;
  stop(): Promise<void>;
}

export async function spawnWebHost(options: { relayUrl: string; workstationName: string; args?: readonly string[] }): Promise<WebHostProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wardline-web-host-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/web-host/cli.ts', '--relay', options.relayUrl, '--data', dataDir, '--workstation-name', options.workstationName, ...(options.args ?? [])],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`web host did not start: ${stderr.slice(-2000)}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = PRINTED.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`web host exited: ${stderr.slice(-2000)}`));
    });
  });
  return {
    url,
    dataDir,
    logs: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
