/**
 * A stand-in `DesktopCore` for transport tests (IPC and web host): handlers given by the test,
 * every other method fails as the real core would for an unknown state, and `emit` pushes events.
 * Test support only; the app always runs the real core.
 */
import { API_METHOD_NAMES, type ApiEventName, type ApiEventPayload, type ApiEventSink, type ApiHandlers, type AppState } from '../../shared/api';
import type { DesktopCore } from '../core/desktop-core';

export interface FakeDesktopCore extends DesktopCore {
  emit<E extends ApiEventName>(event: E, payload: ApiEventPayload<E>): void;
  readonly subscriberCount: number;
  readonly calls: { method: string; input: unknown }[];
  readonly closed: boolean;
}

export const FAKE_STATE: AppState = {
  phase: 'ready',
  workstationName: 'Ward 4 nursing station',
  kiosk: false,
  relayConnected: true,
  lock: { hasPin: false, triesLeft: 3 },
  settings: { language: 'en', notifications: 'private', privacyReveal: 'click' },
};

export function createFakeDesktopCore(overrides: Partial<ApiHandlers> = {}): FakeDesktopCore {
  const sinks = new Set<ApiEventSink>();
  const calls: { method: string; input: unknown }[] = [];
  let closed = false;
  const handlers = Object.fromEntries(
    API_METHOD_NAMES.map((method) => {
      const given = overrides[method] as ((input: unknown) => Promise<unknown>) | undefined;
      const fallback = method === 'app.getState' ? () => Promise.resolve(FAKE_STATE) : () => Promise.reject(new Error('not in the fake core'));
      return [
        method,
        (input: unknown) => {
          calls.push({ method, input });
          return (given ?? fallback)(input);
        },
      ];
    }),
  ) as unknown as ApiHandlers;
  return {
    handlers,
    calls,
    get closed() {
      return closed;
    },
    get subscriberCount() {
      return sinks.size;
    },
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    emit(event, payload) {
      for (const sink of sinks) sink(event, payload);
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
