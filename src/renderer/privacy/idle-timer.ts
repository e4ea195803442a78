/**
 * Fires once after `idleMs` without activity. Activity only records a timestamp (mouse moves
 * arrive hundreds of times a second); the single pending timeout re-arms itself for the rest of
 * the window when it fires early. Plain setTimeout/Date.now so a test clock can fast-forward it.
 */
export interface IdleScheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserScheduler: IdleScheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

export interface IdleTimer {
  /** Starts (or restarts) watching from now. */
  start(): void;
  stop(): void;
  /** Call on every user input. */
  activity(): void;
  readonly running: boolean;
}

export function createIdleTimer(idleMs: number, onIdle: () => void, scheduler: IdleScheduler = browserScheduler): IdleTimer {
  let lastActivity = 0;
  let handle: unknown;
  let running = false;

  const arm = (ms: number) => {
    handle = scheduler.setTimeout(check, ms);
  };
  function check() {
    handle = undefined;
    if (!running) return;
    const idleFor = scheduler.now() - lastActivity;
    if (idleFor >= idleMs) {
      running = false;
      onIdle();
    } else {
      arm(idleMs - idleFor);
    }
  }

  return {
    start() {
      if (handle !== undefined) scheduler.clearTimeout(handle);
      running = true;
      lastActivity = scheduler.now();
      arm(idleMs);
    },
    stop() {
      running = false;
      if (handle !== undefined) scheduler.clearTimeout(handle);
      handle = undefined;
    },
    activity() {
      if (running) lastActivity = scheduler.now();
    },
    get running() {
      return running;
    },
  };
}

/** The inputs that count as "someone is here": mouse, keyboard, touch, wheel and focus. */
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'mousemove', 'keydown', 'touchstart', 'wheel', 'focusin'] as const;
