import { describe, expect, it } from 'vitest';
import { DESKTOP_SESSION_MS, MINUTE_MS, SESSION_WARNING_MS } from '../../shared/limits';
import { formatCountdown, sessionTimeLeft, splitDuration } from './session-time';

describe('splitDuration', () => {
  it('splits into hours, minutes and seconds', () => {
    expect(splitDuration(DESKTOP_SESSION_MS)).toEqual({ hours: 6, minutes: 0, seconds: 0 });
    expect(splitDuration(2 * 3600_000 + 5 * 60_000 + 9_000)).toEqual({ hours: 2, minutes: 5, seconds: 9 });
  });
  it('rounds a partial second up so 0:00 only shows at the end', () => {
    expect(splitDuration(1)).toEqual({ hours: 0, minutes: 0, seconds: 1 });
  });
  it('never goes negative', () => {
    expect(splitDuration(-5000)).toEqual({ hours: 0, minutes: 0, seconds: 0 });
  });
});

describe('sessionTimeLeft', () => {
  const endsAt = 1_000_000_000;
  it('is calm for most of the session', () => {
    const left = sessionTimeLeft(endsAt, endsAt - DESKTOP_SESSION_MS);
    expect(left).toMatchObject({ hours: 6, warning: false, expired: false });
  });
  it('warns from SESSION_WARNING_MS before the end', () => {
    expect(sessionTimeLeft(endsAt, endsAt - SESSION_WARNING_MS - 1).warning).toBe(false);
    expect(sessionTimeLeft(endsAt, endsAt - SESSION_WARNING_MS).warning).toBe(true);
    expect(sessionTimeLeft(endsAt, endsAt - 3 * MINUTE_MS)).toMatchObject({ minutes: 3, warning: true });
  });
  it('reports expiry at and after the end', () => {
    expect(sessionTimeLeft(endsAt, endsAt)).toMatchObject({ ms: 0, expired: true });
    expect(sessionTimeLeft(endsAt, endsAt + 60_000)).toMatchObject({ ms: 0, expired: true });
  });
});

describe('formatCountdown', () => {
  it('shows minutes and seconds, and hours only when needed', () => {
    expect(formatCountdown(3 * MINUTE_MS - 1000)).toBe('2:59');
    expect(formatCountdown(9_000)).toBe('0:09');
    expect(formatCountdown(15 * MINUTE_MS)).toBe('15:00');
    expect(formatCountdown(3600_000 + 2 * MINUTE_MS + 3000)).toBe('1:02:03');
    expect(formatCountdown(-1)).toBe('0:00');
  });
});
