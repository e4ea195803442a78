/**
 * Test support: a throw-away `redis-server` on a free loopback port with its own temporary
 * directory (no snapshots; append-only file on request), killed by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerProcess {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** SIGKILL, keeping the directory (to start again from its append-only file). */
  kill(): Promise<void>;
  /** SIGKILL and remove the directory. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** appendonly yes, appendfsync always: every acknowledged write is on disk. */
  readonly appendOnly?: boolean;
  /** Start again on a killed server's directory and port. */
  readonly reuse?: { readonly dir: string; readonly port: number };
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function spawnRedisServer(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
  const dir = options.reuse?.dir ?? mkdtempSync(join(tmpdir(), 'wardline-redis-'));
  const port = options.reuse?.port ?? (await freeLoopbackPort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--protected-mode', 'yes'];
  if (options.appendOnly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-1000)}`)), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    child,
    kill,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
