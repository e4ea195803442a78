import { describe, expect, it } from 'vitest';
import { formatListTime, formatSize, formatTime } from './display-format';

const at = (y: number, mo: number, d: number, h: number, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();

describe('formatListTime', () => {
  const now = at(2026, 11, 25, 16);
  it('shows the time for today', () => {
    expect(formatListTime(at(2026, 11, 25, 9, 5), now, 'en-GB')).toBe(formatTime(at(2026, 11, 25, 9, 5), 'en-GB'));
    expect(formatListTime(at(2026, 11, 25, 9, 5), now, 'en-GB')).toMatch(/09:05/);
  });
  it('shows the weekday within the last week and a date before that', () => {
    expect(formatListTime(at(2026, 11, 23, 9), now, 'en-GB')).toBe('Mon');
    expect(formatListTime(at(2026, 11, 1, 9), now, 'en-GB')).toMatch(/1 Nov/);
  });
  it('follows the language', () => {
    expect(formatListTime(at(2026, 11, 23, 9), now, 'de')).toMatch(/^Mo/);
    expect(formatListTime(at(2026, 11, 23, 9), now, 'fr')).toMatch(/^lun/);
  });
});

describe('formatSize', () => {
  it('picks a readable unit', () => {
    expect(formatSize(512, 'en')).toBe('512 byte');
    expect(formatSize(2048, 'en')).toBe('2 kB');
    expect(formatSize(5.5 * 1024 * 1024, 'en')).toBe('5.5 MB');
  });
});

describe('intlLocale', () => {
  it('uses 24-hour European English for en', () => {
    const t = new Date(2026, 10, 25, 16, 5).getTime();
    expect(formatTime(t, 'en')).toBe('16:05');
    expect(formatTime(t, 'nl')).toBe('16:05');
  });
});
