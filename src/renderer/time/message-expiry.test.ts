import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MESSAGE_RETENTION_MS, MINUTE_MS } from '../../shared/limits';
import { expiryIn } from './message-expiry';

const now = 1_700_000_000_000;

describe('expiryIn', () => {
  it('shows whole days for a fresh message', () => {
    expect(expiryIn({ kept: false, expiresAt: now + MESSAGE_RETENTION_MS }, now)).toEqual({ unit: 'days', count: 30 });
    expect(expiryIn({ kept: false, expiresAt: now + 12 * DAY_MS + 5 * HOUR_MS }, now)).toEqual({ unit: 'days', count: 12 });
  });
  it('falls back to hours and then minutes near the end', () => {
    expect(expiryIn({ kept: false, expiresAt: now + DAY_MS - 1 }, now)).toEqual({ unit: 'hours', count: 23 });
    expect(expiryIn({ kept: false, expiresAt: now + 90 * 1000 }, now)).toEqual({ unit: 'minutes', count: 2 });
    expect(expiryIn({ kept: false, expiresAt: now + 1 }, now)).toEqual({ unit: 'minutes', count: 1 });
  });
  it('says kept when the message is kept or has no expiry', () => {
    expect(expiryIn({ kept: true, expiresAt: now + MINUTE_MS }, now)).toEqual({ unit: 'kept' });
    expect(expiryIn({ kept: false }, now)).toEqual({ unit: 'kept' });
  });
  it('says now once the expiry has passed (the sweeper has not run yet)', () => {
    expect(expiryIn({ kept: false, expiresAt: now }, now)).toEqual({ unit: 'now' });
    expect(expiryIn({ kept: false, expiresAt: now - DAY_MS }, now)).toEqual({ unit: 'now' });
  });
});
