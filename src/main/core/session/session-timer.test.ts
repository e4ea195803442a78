import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/clock';
import { DESKTOP_SESSION_MS, MINUTE_MS, SESSION_WARNING_MS } from '../../../shared/limits';
import { ManualTimers } from '../scheduling/manual-timers';
import { SessionTimer, sessionWindow } from './session-timer';

function setup() {
  const clock = new FakeClock();
  const timers = new ManualTimers(clock);
  const seen: string[] = [];
  const timer = new SessionTimer(clock, timers, {
    onWarning: (endsAt) => seen.push(`warn:${endsAt - clock.now()}`),
    onEnd: () => seen.push(`end:${clock.now()}`),
  });
  return { clock, timers, seen, timer };
}

describe('sessionWindow', () => {
  it('ends DESKTOP_SESSION_MS after authorisation, or earlier if the relay says so', () => {
    expect(sessionWindow(1000)).toEqual({ authorisedAt: 1000, endsAt: 1000 + DESKTOP_SESSION_MS });
    expect(sessionWindow(1000, 5000)).toEqual({ authorisedAt: 1000, endsAt: 5000 });
    expect(sessionWindow(1000, 1000 + 2 * DESKTOP_SESSION_MS).endsAt).toBe(1000 + DESKTOP_SESSION_MS);
    // A relay end already past by our clock is clock skew: ignored, the relay's close decides.
    expect(sessionWindow(1000, 999).endsAt).toBe(1000 + DESKTOP_SESSION_MS);
  });
});

describe('SessionTimer', () => {
  it('warns SESSION_WARNING_MS before the end and ends exactly at endsAt', () => {
    const { clock, timers, seen, timer } = setup();
    const start = clock.now();
    timer.start(sessionWindow(start));
    timers.advance(DESKTOP_SESSION_MS - SESSION_WARNING_MS - 1);
    expect(seen).toEqual([]);
    timers.advance(1);
    expect(seen).toEqual([`warn:${SESSION_WARNING_MS}`]);
    timers.advance(SESSION_WARNING_MS - 1);
    expect(seen).toHaveLength(1);
    expect(timer.isOver()).toBe(false);
    timers.advance(1);
    expect(seen).toEqual([`warn:${SESSION_WARNING_MS}`, `end:${start + DESKTOP_SESSION_MS}`]);
    expect(timers.pendingCount).toBe(0);
  });

  it('ends at once when started after the end, and warns at once inside the warning window', () => {
    const { clock, seen, timer } = setup();
    timer.start({ authorisedAt: clock.now() - DESKTOP_SESSION_MS, endsAt: clock.now() });
    expect(seen).toEqual([`end:${clock.now()}`]);
    seen.length = 0;
    timer.start({ authorisedAt: clock.now(), endsAt: clock.now() + MINUTE_MS });
    expect(seen).toEqual([`warn:${MINUTE_MS}`]);
  });

  it('catches a late timer with isOver and survives a timer that fires early', () => {
    const { clock, timers, seen, timer } = setup();
    timer.start(sessionWindow(clock.now()));
    clock.advance(DESKTOP_SESSION_MS);
    expect(timer.isOver()).toBe(true);
    timers.runDue();
    expect(seen.at(-1)).toBe(`end:${clock.now()}`);
  });

  it('stop cancels everything; shorten only moves the end earlier', () => {
    const { clock, timers, seen, timer } = setup();
    timer.start(sessionWindow(clock.now()));
    timer.shorten(clock.now() + 2 * DESKTOP_SESSION_MS);
    expect(timer.window?.endsAt).toBe(clock.now() + DESKTOP_SESSION_MS);
    timer.shorten(clock.now() + SESSION_WARNING_MS + MINUTE_MS);
    timers.advance(MINUTE_MS);
    expect(seen).toEqual([`warn:${SESSION_WARNING_MS}`]);
    timer.stop();
    timers.advance(DESKTOP_SESSION_MS);
    expect(seen).toHaveLength(1);
    expect(timer.isOver()).toBe(false);
  });
});
