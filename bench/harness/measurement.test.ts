import { describe, expect, it } from 'vitest';
import { formatNumber, verdict, type Measurement } from './measurement';
import { renderMarkdown, renderTable } from './report-table';

const row = (value: number, target?: Measurement['target']): Measurement => ({
  suite: 'client',
  case: 'search',
  metric: 'p99',
  value,
  unit: 'ms',
  ...(target ? { target } : {}),
});

describe('verdict', () => {
  it('compares against the target in its direction', () => {
    expect(verdict(row(49, { op: '<', value: 50 }))).toBe('pass');
    expect(verdict(row(50, { op: '<', value: 50 }))).toBe('FAIL');
    expect(verdict(row(0.7, { op: '>=', value: 0.7 }))).toBe('pass');
    expect(verdict(row(0.69, { op: '>=', value: 0.7 }))).toBe('FAIL');
    expect(verdict(row(1, { op: '=', value: 0 }))).toBe('FAIL');
  });

  it('fails a missing figure and leaves untargeted rows blank', () => {
    expect(verdict(row(Number.NaN, { op: '<', value: 50 }))).toBe('FAIL');
    expect(verdict(row(3))).toBe('');
  });
});

describe('tables', () => {
  it('formats numbers for reading', () => {
    expect(formatNumber(52_345.6)).toBe('52,346');
    expect(formatNumber(0.4)).toBe('0.400');
    expect(formatNumber(Number.NaN)).toBe('n/a');
  });

  it('renders every row with its target and verdict', () => {
    const text = renderTable('client', [row(12, { op: '<', value: 50 }), row(70, { op: '<', value: 50 })]);
    expect(text).toContain('== client ==');
    expect(text).toMatch(/12 ms\s+< 50 ms\s+pass/);
    expect(text).toMatch(/70 ms\s+< 50 ms\s+FAIL/);
    expect(renderTable('x', [row(12.5)])).toContain('12.5 ms');
    expect(renderMarkdown([row(1)]).split('\n')).toHaveLength(3);
  });
});
