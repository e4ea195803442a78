import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './percentiles';

describe('percentiles', () => {
  it('uses nearest rank on sorted input', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it('summarizes unsorted samples without mutating them', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarize(samples);
    expect(s).toMatchObject({ count: 5, p50: 3, p99: 5, max: 5, mean: 3 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(median([10, 30, 20])).toBe(20);
  });

  it('gives NaN for no samples rather than a made-up zero', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(Number.isNaN(s.p99)).toBe(true);
  });
});
