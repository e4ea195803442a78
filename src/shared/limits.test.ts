import { describe, expect, it } from 'vitest';
import { DESKTOP_SESSION_MS, MESSAGE_RETENTION_MS, PIN_LENGTH, PRIVACY_SCREEN_IDLE_MS } from './limits';

describe('ward-safety limits', () => {
  it('match the product rules', () => {
    expect(DESKTOP_SESSION_MS).toBe(6 * 3600_000);
    expect(MESSAGE_RETENTION_MS).toBe(30 * 86_400_000);
    expect(PRIVACY_SCREEN_IDLE_MS).toBe(60_000);
    expect(PIN_LENGTH).toBe(5);
  });
});
