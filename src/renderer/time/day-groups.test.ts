import { describe, expect, it } from 'vitest';
import { dayLabel, startOfLocalDay, withDaySeparators } from './day-groups';

const at = (y: number, mo: number, d: number, h: number, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();

describe('withDaySeparators', () => {
  it('puts one separator before the first message of each day', () => {
    const messages = [
      { id: 'a', sentAt: at(2026, 11, 23, 9) },
      { id: 'b', sentAt: at(2026, 11, 23, 23, 59) },
      { id: 'c', sentAt: at(2026, 11, 24, 0, 0) },
      { id: 'd', sentAt: at(2026, 11, 26, 14) },
    ];
    const items = withDaySeparators(messages);
    expect(items.map((i) => (i.kind === 'day' ? `|${new Date(i.dayStart).getDate()}` : i.message.id))).toEqual([
      '|23', 'a', 'b', '|24', 'c', '|26', 'd',
    ]);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });
  it('gives nothing for no messages', () => {
    expect(withDaySeparators([])).toEqual([]);
  });
});

describe('dayLabel', () => {
  const now = at(2026, 11, 25, 10);
  it('names today and yesterday, and dates before that', () => {
    expect(dayLabel(startOfLocalDay(at(2026, 11, 25, 0, 1)), now)).toBe('today');
    expect(dayLabel(startOfLocalDay(at(2026, 11, 24, 23)), now)).toBe('yesterday');
    expect(dayLabel(startOfLocalDay(at(2026, 11, 23, 12)), now)).toBe('date');
    expect(dayLabel(startOfLocalDay(at(2026, 11, 26, 12)), now)).toBe('date');
  });
  it('handles the first of the month', () => {
    expect(dayLabel(startOfLocalDay(at(2026, 2, 28, 8)), at(2026, 3, 1, 8))).toBe('yesterday');
  });
});
