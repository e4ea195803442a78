/**
 * Diagnosis only (`npm run bench -- relay --profile DIR`): preloaded into the server and load
 * generator processes, it appends to DIR/stalls-PID.log every event-loop stall and every GC pause
 * of 20 ms or more, stamped with the monotonic clock the suite prints phase windows in, so a
 * latency tail can be attributed to the process (and the cause) that held it.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const dir = process.env.WARDLINE_BENCH_PROFILE_DIR;
const THRESHOLD_MS = 20;
const TICK_MS = 10;

if (dir) {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/stalls-${process.pid}.log`;
  const monoUs = () => process.hrtime.bigint() / 1000n;
  const note = (line: string) => appendFileSync(file, `${monoUs()} ${line}\n`);
  note(`start ${process.argv.slice(2).join(' ')}`);
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    last = now;
    if (late >= THRESHOLD_MS) note(`stall ${late.toFixed(0)} ms`);
  }, TICK_MS).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration >= THRESHOLD_MS) note(`gc ${e.duration.toFixed(0)} ms kind ${String((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind)}`);
    }
  }).observe({ entryTypes: ['gc'] });
}
