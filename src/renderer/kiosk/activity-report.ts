/**
 * Tells the core someone is at the screen, at most once per `intervalMs` however fast input
 * arrives (mouse moves come hundreds of times a second). The first input after a quiet spell is
 * sent at once; the core's idle log-out then runs at most `intervalMs` early, never late.
 */
export interface ActivityReport {
  /** Call on every input event. */
  activity(): void;
  /** Sends now, ignoring the interval ("I'm still here"). */
  flush(): void;
}

export function createActivityReport(intervalMs: number, send: () => void, now: () => number = () => Date.now()): ActivityReport {
  let lastSent = Number.NEGATIVE_INFINITY;
  const sendNow = () => {
    lastSent = now();
    send();
  };
  return {
    activity() {
      if (now() - lastSent >= intervalMs) sendNow();
    },
    flush: sendNow,
  };
}
