/**
 * One measured figure, optionally with the target it is held against. Targets are printed
 * next to the figure with pass/fail and are never asserted in tests: a slow CI box must not
 * turn a benchmark into a flaky test.
 */
export type SuiteName = 'relay' | 'queue' | 'client' | 'pairing';
export const SUITE_NAMES: readonly SuiteName[] = ['relay', 'queue', 'client', 'pairing'];

export type TargetOp = '<' | '<=' | '>=' | '=';
export interface Target {
  readonly op: TargetOp;
  readonly value: number;
}

export interface Measurement {
  readonly suite: SuiteName;
  /** What was run, e.g. "wardline N=10000 @2000/s". */
  readonly case: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  /** A short remark (why a figure is missing, what limited it). */
  readonly note?: string;
}

export type Verdict = 'pass' | 'FAIL' | '';

export function verdict(m: Measurement): Verdict {
  const t = m.target;
  if (!t) return '';
  if (!Number.isFinite(m.value)) return 'FAIL';
  switch (t.op) {
    case '<':
      return m.value < t.value ? 'pass' : 'FAIL';
    case '<=':
      return m.value <= t.value ? 'pass' : 'FAIL';
    case '>=':
      return m.value >= t.value ? 'pass' : 'FAIL';
    case '=':
      return m.value === t.value ? 'pass' : 'FAIL';
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1 || value === 0) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatTarget(t: Target | undefined, unit: string): string {
  return t ? `${t.op} ${formatNumber(t.value)} ${unit}`.trim() : '';
}
