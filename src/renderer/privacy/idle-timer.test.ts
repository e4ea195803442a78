import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRIVACY_SCREEN_IDLE_MS } from '../../shared/limits';
import { createIdleTimer } from './idle-timer';

describe('createIdleTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after the idle time without input', () => {
    const onIdle = vi.fn();
    const timer = createIdleTimer(PRIVACY_SCREEN_IDLE_MS, onIdle);
    timer.start();
    vi.advanceTimersByTime(PRIVACY_SCREEN_IDLE_MS - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * PRIVACY_SCREEN_IDLE_MS);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(timer.running).toBe(false);
  });

  it('counts idle time from the last input', () => {
    const onIdle = vi.fn();
    const timer = createIdleTimer(PRIVACY_SCREEN_IDLE_MS, onIdle);
    timer.start();
    vi.advanceTimersByTime(50_000);
    timer.activity();
    vi.advanceTimersByTime(50_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does not fire after stop, and ignores input while stopped', () => {
    const onIdle = vi.fn();
    const timer = createIdleTimer(1000, onIdle);
    timer.start();
    timer.stop();
    timer.activity();
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
    expect(timer.running).toBe(false);
  });

  it('restarts cleanly after firing', () => {
    const onIdle = vi.fn();
    const timer = createIdleTimer(1000, onIdle);
    timer.start();
    vi.advanceTimersByTime(1000);
    timer.start();
    vi.advanceTimersByTime(999);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a single pending timeout however much input arrives', () => {
    const timer = createIdleTimer(1000, () => undefined);
    timer.start();
    for (let i = 0; i < 100; i++) timer.activity();
    expect(vi.getTimerCount()).toBe(1);
  });
});
