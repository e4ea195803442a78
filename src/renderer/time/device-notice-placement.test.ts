import { describe, expect, it } from 'vitest';
import { withDaySeparators } from './day-groups';
import { withDeviceNotices } from './device-notice-placement';

const DAY = 86_400_000;
const base = new Date(2026, 10, 20, 9, 0).getTime();
const msg = (id: string, sentAt: number) => ({ id, sentAt });

describe('device notices in the timeline', () => {
  it('places a notice between the messages around its time, ahead of the next day’s separator', () => {
    const items = withDaySeparators([msg('a', base), msg('b', base + 60_000), msg('c', base + DAY)]);
    const placed = withDeviceNotices(items, [{ id: 'notice-1', kind: 'new-phone', at: base + 120_000 }]);
    expect(placed.map((i) => (i.kind === 'message' ? i.message.id : i.kind))).toEqual(['day', 'a', 'b', 'notice', 'day', 'c']);
  });

  it('puts a notice newer than every message at the end, and keeps notices in time order', () => {
    const items = withDaySeparators([msg('a', base)]);
    const placed = withDeviceNotices(items, [
      { id: 'n2', kind: 'new-phone', at: base + 2 },
      { id: 'n1', kind: 'new-phone', at: base + 1 },
    ]);
    expect(placed.map((i) => i.key)).toEqual([items[0]!.key, 'a', 'n1', 'n2']);
    expect(withDeviceNotices([], [{ id: 'n', kind: 'new-phone', at: 1 }]).map((i) => i.kind)).toEqual(['notice']);
  });
});
