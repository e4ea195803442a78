/** The orchestrator's handle on a load generator child: typed commands with deadlines. */
import { NodeChild } from '../harness/child-process';
import { zLoadReply, type LoadCommand, type LoadReply } from './load-protocol';

export class LoadGeneratorProcess {
  readonly #child: NodeChild;
  readonly #replies: LoadReply[] = [];
  #waiter: (() => void) | undefined;

  private constructor() {
    const profileDir = process.env.WARDLINE_BENCH_PROFILE_DIR;
    this.#child = new NodeChild('bench/load/load-generator.ts', [], {
      ipc: true,
      nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/load-generator`, '--import', 'tsx', '--import', './bench/load/stall-monitor.ts'] : [],
    });
    this.#child.child.on('message', (raw) => {
      const parsed = zLoadReply.safeParse(raw);
      this.#replies.push(parsed.success ? parsed.data : { kind: 'error', message: 'unparseable reply' });
      this.#waiter?.();
    });
  }

  static async start(): Promise<LoadGeneratorProcess> {
    const p = new LoadGeneratorProcess();
    const first = await p.#next(30_000);
    if (first.kind !== 'ready') throw new Error(`load generator did not start: ${JSON.stringify(first)}`);
    return p;
  }

  get pid(): number {
    return this.#child.pid;
  }

  #next(timeoutMs: number): Promise<LoadReply> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`load generator: no reply within ${timeoutMs} ms\n${this.#child.tail()}`));
      }, timeoutMs);
      const onExit = () => reject(new Error(`load generator exited\n${this.#child.tail()}`));
      this.#child.child.once('exit', onExit);
      this.#waiter = () => {
        clearTimeout(timer);
        this.#child.child.off('exit', onExit);
        this.#waiter = undefined;
        resolve(this.#replies.shift()!);
      };
    });
  }

  async request<K extends LoadReply['kind']>(command: LoadCommand, expect: K, timeoutMs: number): Promise<Extract<LoadReply, { kind: K }>> {
    this.#child.child.send(command);
    const reply = await this.#next(timeoutMs);
    if (reply.kind !== expect) throw new Error(`load generator: ${reply.kind === 'error' ? reply.message : reply.kind}`);
    return reply as Extract<LoadReply, { kind: K }>;
  }

  async stop(): Promise<void> {
    await this.#child.stop();
  }
}
