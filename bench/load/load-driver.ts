/**
 * Drives envelopes between connected devices and measures them: a steady open-loop rate, or
 * "as fast as it goes" as a closed loop with a fixed number in flight (each delivery releases
 * the next send), which finds the server's throughput without unbounded buffering. Latency is
 * send → delivery at the recipient, both in this process, so one monotonic clock.
 */
import { summarize, type Summary } from '../harness/percentiles';
import type { DeliverySink, LoadDevice } from './load-device';

export interface PhaseResult {
  readonly sent: number;
  readonly delivered: number;
  /** Sent but never delivered by the end of the drain wait. */
  readonly lost: number;
  readonly duplicates: number;
  /** Error answers to sends, by code. */
  readonly errors: Record<string, number>;
  /** Connections that closed during the phase. */
  readonly closedConnections: number;
  readonly measuredMs: number;
  /** Deliveries inside the measured window per second. */
  readonly deliveredPerSecond: number;
  readonly latencyMs: Summary;
}

const TICK_MS = 5;

export class LoadDriver implements DeliverySink {
  #devices: readonly LoadDevice[] = [];
  #sentAt = new Float64Array(0);
  #seen = new Uint8Array(0);
  #latencies: number[] = [];
  #sent = 0;
  #delivered = 0;
  #answered = 0;
  /** Whether the server answers every send (the relay's ok/err): a phase then ends only when all are answered. */
  #answers = false;
  #duplicates = 0;
  #errors: Record<string, number> = {};
  #closed = 0;
  #windowEnd = Number.POSITIVE_INFINITY;
  #deliveredInWindow = 0;
  #onDelivery: (() => void) | undefined;
  #rr = 0;
  /**
   * Sequence numbers on the wire are base + index and never repeat within a run: the relay
   * rightly treats a repeated envelope id as a duplicate and would not deliver it again.
   */
  #base = 0;

  setDevices(devices: readonly LoadDevice[], answersSends = false): void {
    this.#devices = devices;
    this.#answers = answersSends;
  }

  delivered(wireSeq: number): void {
    const seq = wireSeq - this.#base;
    if (seq < 0 || seq >= this.#sent) return;
    if (this.#seen[seq]) {
      this.#duplicates++;
      return;
    }
    this.#seen[seq] = 1;
    this.#delivered++;
    const now = performance.now();
    this.#latencies.push(now - this.#sentAt[seq]!);
    if (now <= this.#windowEnd) this.#deliveredInWindow++;
    this.#onDelivery?.();
  }

  sendAnswered(code: string | undefined): void {
    this.#answered++;
    if (code !== undefined) this.#errors[code] = (this.#errors[code] ?? 0) + 1;
  }

  closed(): void {
    this.#closed++;
  }

  #reset(capacity: number): void {
    this.#base += this.#sentAt.length;
    this.#sentAt = new Float64Array(capacity);
    this.#seen = new Uint8Array(capacity);
    this.#latencies = [];
    this.#sent = 0;
    this.#delivered = 0;
    this.#answered = 0;
    this.#duplicates = 0;
    this.#errors = {};
    this.#closed = 0;
    this.#deliveredInWindow = 0;
    this.#windowEnd = Number.POSITIVE_INFINITY;
    this.#onDelivery = undefined;
  }

  /** One envelope from the next sender (round robin) to a random other device. */
  #sendOne(): boolean {
    if (this.#sent >= this.#sentAt.length) return false;
    const n = this.#devices.length;
    const from = this.#rr++ % n;
    let to = Math.floor(Math.random() * (n - 1));
    if (to >= from) to++;
    const seq = this.#sent++;
    this.#sentAt[seq] = performance.now();
    this.#devices[from]!.send(this.#devices[to]!, this.#base + seq);
    return true;
  }

  /**
   * Waits for the stragglers. With a relay this includes the answers to the senders: a phase
   * whose acks and `ok`s are still being processed would otherwise spill into the next one and
   * show up there as a latency stall (it did, with 10,000 devices after the warm-up burst).
   */
  async #drain(drainMs: number): Promise<void> {
    const deadline = performance.now() + drainMs;
    const done = () => this.#delivered >= this.#sent && (!this.#answers || this.#answered >= this.#sent);
    while (!done() && performance.now() < deadline) await sleep(10);
  }

  #result(measuredMs: number): PhaseResult {
    return {
      sent: this.#sent,
      delivered: this.#delivered,
      lost: this.#sent - this.#delivered,
      duplicates: this.#duplicates,
      errors: { ...this.#errors },
      closedConnections: this.#closed,
      measuredMs,
      deliveredPerSecond: (this.#deliveredInWindow * 1000) / measuredMs,
      latencyMs: summarize(this.#latencies),
    };
  }

  /** Every device receives `perDevice` envelopes; checks routing end to end and warms the JIT. */
  async warmup(perDevice: number, drainMs: number): Promise<PhaseResult> {
    const n = this.#devices.length;
    this.#reset(n * perDevice);
    const start = performance.now();
    for (let k = 0; k < perDevice; k++) {
      for (let i = 0; i < n; i++) {
        const seq = this.#sent++;
        this.#sentAt[seq] = performance.now();
        this.#devices[(i + 1) % n]!.send(this.#devices[i]!, this.#base + seq);
      }
      await sleep(0);
    }
    await this.#drain(drainMs);
    return this.#result(performance.now() - start);
  }

  /** Open loop at `rate` envelopes/s for `durationMs`. */
  async steady(rate: number, durationMs: number, drainMs: number): Promise<PhaseResult> {
    this.#reset(Math.ceil((rate * durationMs) / 1000) + 1);
    const start = performance.now();
    this.#windowEnd = start + durationMs;
    for (;;) {
      const elapsed = performance.now() - start;
      if (elapsed >= durationMs) break;
      const due = Math.floor((rate * elapsed) / 1000) - this.#sent;
      for (let i = 0; i < due; i++) this.#sendOne();
      await sleep(TICK_MS);
    }
    await this.#drain(drainMs);
    return this.#result(durationMs);
  }

  /** Closed loop: `window` envelopes in flight for `durationMs`; capacity bounds the total. */
  async max(window: number, durationMs: number, drainMs: number, capacity: number): Promise<PhaseResult> {
    this.#reset(capacity);
    const start = performance.now();
    this.#windowEnd = start + durationMs;
    this.#onDelivery = () => {
      if (performance.now() < this.#windowEnd) this.#sendOne();
    };
    for (let i = 0; i < window; i++) this.#sendOne();
    while (performance.now() < this.#windowEnd) await sleep(TICK_MS);
    this.#onDelivery = undefined;
    await this.#drain(drainMs);
    return this.#result(durationMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
