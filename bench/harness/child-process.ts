/**
 * Child processes for benchmarks: servers and load generators run in their own Node process
 * (TypeScript through tsx's loader, so the pid is the Node process itself and its RSS is
 * what we read). Every child is killed when the bench process exits, however it exits, and
 * every wait has a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const running = new Set<ChildProcess>();
let hooksInstalled = false;

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface SpawnOptions {
  /** Open an IPC channel (process.send in the child). */
  readonly ipc?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra Node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
}

export class NodeChild {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters = new Set<(line: string) => void>();
  readonly #exited: Promise<number | null>;

  constructor(script: string, args: readonly string[], options: SpawnOptions = {}) {
    installHooks();
    const stdio = options.ipc ? (['ignore', 'pipe', 'pipe', 'ipc'] as const) : (['ignore', 'pipe', 'pipe'] as const);
    this.child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      stdio: [...stdio],
      env: { ...process.env, ...options.env },
    });
    running.add(this.child);
    this.#exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      });
    });
    // Always drain both pipes: a child blocked on a full pipe would look like a slow server.
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.#onLine(line));
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('child has no pid (spawn failed)');
    return this.child.pid;
  }

  /** The last lines the child printed, for error reports. */
  tail(n = 20): string {
    return this.#lines.slice(-n).join('\n');
  }

  #onLine(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > 200) this.#lines.shift();
    for (const waiter of this.#waiters) waiter(line);
  }

  /** Resolves with the first line (already printed or to come) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    for (const line of this.#lines) {
      const m = pattern.exec(line);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(onLine);
      };
      const onLine = (line: string) => {
        const m = pattern.exec(line);
        if (m) {
          done();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child did not print ${String(pattern)} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      this.#waiters.add(onLine);
      void this.#exited.then((code) => {
        if (!this.#waiters.has(onLine)) return;
        done();
        reject(new Error(`child exited (${code}) before printing ${String(pattern)}:\n${this.tail()}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  get exited(): Promise<number | null> {
    return this.#exited;
  }
}
