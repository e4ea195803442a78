/** The machine a result was measured on, printed with every run and recorded in docs/performance.md. */
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

export function formatMachine(m: MachineInfo): string {
  return `${m.cpus} CPU (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}`;
}

/** The 1-minute load average, with a warning when other work competes for the CPUs. */
export function describeLoad(): string {
  const [one] = loadavg();
  const n = cpus().length;
  const busy = (one ?? 0) > n * 0.5 ? ` — other processes are using the CPUs; figures will be low and noisy` : '';
  return `load average (1 min) ${(one ?? 0).toFixed(2)} on ${n} CPUs${busy}`;
}
