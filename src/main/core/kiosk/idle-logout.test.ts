import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/clock';
import { IDLE_ACTIVITY_MIN_INTERVAL_MS, KIOSK_IDLE_LOGOUT_MS, KIOSK_LOGOUT_COUNTDOWN_MS, MINUTE_MS, SECOND_MS } from '../../../shared/limits';
import { ManualTimers } from '../scheduling/manual-timers';
import { IdleLogout } from './idle-logout';

function setup(idleMs = KIOSK_IDLE_LOGOUT_MS) {
  const clock = new FakeClock();
  const timers = new ManualTimers(clock);
  const log: (string | number | null)[] = [];
  const idle = new IdleLogout(clock, timers, idleMs, {
    countdown: (at) => log.push(at === null ? null : at - clock.now()),
    logout: () => log.push('logout'),
  });
  return { clock, timers, idle, log };
}

describe('kiosk idle log-out', () => {
  it('announces a countdown, then logs out after the idle time without input', () => {
    const { timers, idle, log } = setup();
    idle.start();
    timers.advance(KIOSK_IDLE_LOGOUT_MS - KIOSK_LOGOUT_COUNTDOWN_MS - 1);
    expect(log).toEqual([]);
    timers.advance(1);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS]);
    timers.advance(KIOSK_LOGOUT_COUNTDOWN_MS - 1);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS]);
    timers.advance(1);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS, 'logout']);
    expect(idle.running).toBe(false);
    expect(timers.pendingCount).toBe(0);
  });

  it('restarts the idle time on activity, and activity during the countdown cancels it', () => {
    const { timers, idle, log, clock } = setup(5 * MINUTE_MS);
    idle.start();
    timers.advance(3 * MINUTE_MS);
    expect(idle.activity()).toBe(true);
    expect(idle.logoutAt).toBe(clock.now() + 5 * MINUTE_MS);
    timers.advance(4 * MINUTE_MS);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS]);
    timers.advance(30 * SECOND_MS);
    expect(idle.activity()).toBe(true);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS, null]);
    timers.advance(4 * MINUTE_MS);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS, null, KIOSK_LOGOUT_COUNTDOWN_MS]);
    timers.advance(MINUTE_MS);
    expect(log.at(-1)).toBe('logout');
  });

  it('ignores reports closer together than the minimum interval, and reports while stopped', () => {
    const { timers, idle } = setup();
    expect(idle.activity()).toBe(false);
    idle.start();
    expect(idle.activity()).toBe(false);
    timers.advance(IDLE_ACTIVITY_MIN_INTERVAL_MS - 1);
    expect(idle.activity()).toBe(false);
    timers.advance(1);
    expect(idle.activity()).toBe(true);
  });

  it('logs out on the first timer after a long suspend, with no countdown in between', () => {
    const { clock, timers, idle, log } = setup();
    idle.start();
    clock.advance(2 * KIOSK_IDLE_LOGOUT_MS);
    timers.runDue();
    expect(log).toEqual(['logout']);
  });

  it('stops without logging out, and withdraws a countdown that was showing', () => {
    const { timers, idle, log } = setup();
    idle.start();
    timers.advance(KIOSK_IDLE_LOGOUT_MS - KIOSK_LOGOUT_COUNTDOWN_MS);
    idle.stop();
    timers.advance(KIOSK_IDLE_LOGOUT_MS);
    expect(log).toEqual([KIOSK_LOGOUT_COUNTDOWN_MS, null]);
    expect(idle.logoutAt).toBeNull();
  });

  it('refuses an idle time no longer than the countdown', () => {
    expect(() => setup(KIOSK_LOGOUT_COUNTDOWN_MS)).toThrow(RangeError);
  });
});
