/**
 * src/shared compiles without Node or DOM typings, but every runtime we target has these two
 * timers; they are looked up once here with a minimal type.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const g = globalThis as unknown as TimerGlobals;
export const runtimeTimers: Timers = {
  setTimeout: (callback, ms) => g.setTimeout(callback, ms),
  clearTimeout: (handle) => g.clearTimeout(handle),
};
