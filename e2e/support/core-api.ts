/**
 * Test support: drives a desktop core in-process through the same API dispatch the renderer uses,
 * and records the events it emits so a test can wait for one.
 */
import { createCoreLogger, type CoreLogger } from '../../src/main/core/logging';
import { dispatchApiCall } from '../../src/main/core/api/dispatch';
import { createDesktopCore, type DesktopCore } from '../../src/main/core/desktop-core';
import { ManualTimers } from '../../src/main/core/scheduling/manual-timers';
import type { CompanionPhone } from '../../src/phone/companion-phone';
import { systemClock } from '../../src/shared/clock';
import type { ApiEventName, ApiEventPayload, ApiInput, ApiMethodName, ApiOutput } from '../../src/shared/api';

export type CoreApiCall = <M extends ApiMethodName>(method: M, input: ApiInput<M>) => Promise<ApiOutput<M>>;

/** A call that resolves with the method's output, or throws an Error carrying the API error `code`. */
export function coreApiCaller(core: () => DesktopCore, logger: CoreLogger): CoreApiCall {
  return async <M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> => {
    const result = await dispatchApiCall(core().handlers, method, input, logger);
    if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.code}`), { code: result.error.code });
    return result.value as ApiOutput<M>;
  };
}

export interface RecordedEvents {
  readonly events: { event: ApiEventName; payload: unknown }[];
  /** Scans events from index `from` (default 0: also those already seen), then waits up to `timeoutMs` (default 10 s). */
  waitFor<E extends ApiEventName>(event: E, predicate: (p: ApiEventPayload<E>) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<ApiEventPayload<E>>;
}

export function recordCoreEvents(core: DesktopCore): RecordedEvents {
  const events: RecordedEvents['events'] = [];
  const waiters = new Set<() => void>();
  core.subscribe((event, payload) => {
    events.push({ event, payload });
    for (const w of [...waiters]) w();
  });
  const waitFor: RecordedEvents['waitFor'] = (event, predicate, options = {}) =>
    new Promise((resolve, reject) => {
      let from = options.from ?? 0;
      const timeoutMs = options.timeoutMs ?? 10_000;
      const check = () => {
        for (; from < events.length; from++) {
          const e = events[from]!;
          if (e.event === event && predicate(e.payload as never)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e.payload as never);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${event} in time`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { events, waitFor };
}

/** A silent desktop core on real time (the relay and phones use it too), for tests that exercise no time rule. */
export function createRealTimeCore(options: { dataDir: string; relayUrl: string; workstationName: string }): Promise<DesktopCore> {
  return createDesktopCore({
    ...options,
    clock: systemClock,
    timers: new ManualTimers({ now: () => systemClock.now(), advance: () => undefined }),
    logger: createCoreLogger({ level: 'silent' }),
  });
}

/** Pairs the core behind `call` with `phone` from its offer, and waits until pairing completed. */
export async function pairCoreWith(call: CoreApiCall, recorded: RecordedEvents, phone: CompanionPhone): Promise<void> {
  const offer = await call('pairing.start', {});
  await phone.pairDesktop(offer.url, { approve: () => true });
  await recorded.waitFor('pairing.progress', (p) => p.step === 'completed', { timeoutMs: 30_000 });
}
