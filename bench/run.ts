/**
 * `npm run bench [-- SUITE...] [--quick] [--markdown]`
 *   SUITE: relay | queue | client | pairing (default: all, in that order)
 *   --quick     tiny sizes, a few seconds (CI smoke run)
 *   --markdown  also print the results as a Markdown table (for docs/performance.md)
 *   --connections N[,N...]  relay suite: these connection counts instead of 1000,10000
 *   --profile DIR  V8 CPU profiles (--cpu-prof) of every server and load generator process, and
 *                 their event-loop stalls and GC pauses (DIR/stalls-PID.log), into DIR
 *   --relay-args="..."  extra relay CLI options for every relay started (what-if runs)
 *   --relay-node-flags="..."  extra Node/V8 options for every relay process (what-if runs)
 * Prints one table per suite with targets and pass/fail. Exit code 1 if a suite crashed;
 * a missed target is reported, not an error.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SUITES } from './bench-suites';
import { describeLoad, describeMachine, formatMachine } from './harness/machine';
import { SUITE_NAMES, type Measurement } from './harness/measurement';
import { renderMarkdown, renderTable } from './harness/report-table';

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        connections: { type: 'string' },
        profile: { type: 'string' },
        'relay-args': { type: 'string' },
        'relay-node-flags': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n(usage: see the top of bench/run.ts)`);
    process.exit(2);
  }
}
const { values, positionals } = parseCommandLine();

const unknown = positionals.filter((p) => !(SUITE_NAMES as readonly string[]).includes(p));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; choose from ${SUITE_NAMES.join(', ')}`);
  process.exit(2);
}
if (values.profile) process.env.WARDLINE_BENCH_PROFILE_DIR = resolve(values.profile);
if (values['relay-args']) {
  process.env.WARDLINE_BENCH_RELAY_ARGS = values['relay-args'];
  console.log(`relay started with extra options: ${values['relay-args']}`);
}
if (values['relay-node-flags']) {
  process.env.WARDLINE_BENCH_RELAY_NODE_FLAGS = values['relay-node-flags'];
  console.log(`relay processes started with node options: ${values['relay-node-flags']}`);
}
const connections = values.connections?.split(',').map(Number);
if (connections?.some((n) => !Number.isInteger(n) || n < 2)) {
  console.error('--connections takes whole numbers of at least 2, comma-separated');
  process.exit(2);
}
const selected = positionals.length ? SUITE_NAMES.filter((s) => positionals.includes(s)) : SUITE_NAMES;

const log = (line: string) => console.log(line);
console.log(`Wardline benchmarks${values.quick ? ' (quick)' : ''} on ${formatMachine(describeMachine())}`);
console.log(`at start: ${describeLoad()}`);
const all: Measurement[] = [];
let crashed = false;
const started = performance.now();
for (const name of selected) {
  const t0 = performance.now();
  log(`-- ${name} ...`);
  try {
    const rows = await SUITES[name]({ quick: values.quick, log, ...(connections ? { connections } : {}) });
    all.push(...rows);
    console.log(renderTable(`${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`, rows));
  } catch (error) {
    crashed = true;
    console.error(`suite ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s; at end: ${describeLoad()}`);
if (values.markdown) console.log(`\n${renderMarkdown(all)}`);
process.exit(crashed ? 1 : 0);
