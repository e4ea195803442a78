import { describe, expect, it } from 'vitest';
import { seededInts } from '../src/shared/protocol/seeded-random';
import { SessionDeadlines } from './session-deadlines';

function drain<T>(deadlines: SessionDeadlines<T>, now: number): T[] {
  const out: T[] = [];
  for (let item = deadlines.popDue(now); item !== undefined; item = deadlines.popDue(now)) out.push(item);
  return out;
}

describe('SessionDeadlines', () => {
  it('gives nothing when empty or when nothing is due yet', () => {
    const deadlines = new SessionDeadlines<string>();
    expect(deadlines.popDue(Number.MAX_SAFE_INTEGER)).toBeUndefined();
    expect(deadlines.next).toBeUndefined();
    deadlines.add(100, 'a');
    expect(deadlines.popDue(99)).toBeUndefined();
    expect(deadlines.size).toBe(1);
    expect(deadlines.next).toBe(100);
    expect(deadlines.popDue(100)).toBe('a');
    expect(deadlines.size).toBe(0);
  });

  it('hands out only what is due, earliest first, whatever the order of adding', () => {
    const random = seededInts(6);
    const deadlines = new SessionDeadlines<number>();
    const all: { at: number; id: number }[] = [];
    for (let id = 0; id < 2000; id++) {
      const at = random.next(500);
      all.push({ at, id });
      deadlines.add(at, id);
    }
    // Stable sort: equal deadlines keep their order of adding.
    const expected = [...all].sort((x, y) => x.at - y.at);
    const seen: number[] = [];
    for (let now = 0; now < 500; now += 37) {
      const due = drain(deadlines, now);
      for (const id of due) expect(all[id]!.at).toBeLessThanOrEqual(now);
      if (deadlines.next !== undefined) expect(deadlines.next).toBeGreaterThan(now);
      seen.push(...due);
    }
    seen.push(...drain(deadlines, 500));
    expect(seen).toEqual(expected.map((e) => e.id));
    expect(deadlines.size).toBe(0);
  });

  it('keeps its order when adding and taking interleave', () => {
    const random = seededInts(42);
    const deadlines = new SessionDeadlines<number>();
    const held: number[] = [];
    let now = 0;
    for (let round = 0; round < 300; round++) {
      for (let k = 0; k < 5; k++) {
        const at = now + random.next(100);
        held.push(at);
        deadlines.add(at, at);
      }
      now += 10;
      const due = drain(deadlines, now);
      const expected = held.filter((at) => at <= now).sort((x, y) => x - y);
      expect(due).toEqual(expected);
      held.splice(0, held.length, ...held.filter((at) => at > now));
      expect(deadlines.size).toBe(held.length);
    }
  });

  it('returns equal deadlines first in, first out, duplicates included', () => {
    const deadlines = new SessionDeadlines<string>();
    for (const item of ['a', 'b', 'a', 'c']) deadlines.add(7, item);
    deadlines.add(3, 'early');
    expect(drain(deadlines, 7)).toEqual(['early', 'a', 'b', 'a', 'c']);
  });
});
