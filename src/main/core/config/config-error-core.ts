/**
 * What the app runs when its configuration is unusable: a core whose only state is phase
 * `error` with the configuration's code, so the renderer shows its error screen (translated)
 * instead of the process crashing. Every other method refuses; nothing touches the network or
 * the data directory.
 */
import { API_METHOD_NAMES, type ApiHandlers, type AppState } from '../../../shared/api';
import { CoreError } from '../core-error';
import type { DesktopCore } from '../desktop-core';
import type { ConfigErrorCode } from './config-error';

export function configErrorState(code: ConfigErrorCode, kiosk = false): AppState {
  return {
    phase: 'error',
    errorCode: code,
    workstationName: '',
    kiosk,
    relayConnected: false,
    lock: { hasPin: false, triesLeft: 0 },
    settings: { language: 'en', notifications: 'private', privacyReveal: 'click' },
  };
}

export function createConfigErrorCore(code: ConfigErrorCode, options: { kiosk?: boolean } = {}): DesktopCore {
  const state = configErrorState(code, options.kiosk ?? false);
  const handlers = Object.fromEntries(
    API_METHOD_NAMES.map((method) => [
      method,
      method === 'app.getState' ? () => Promise.resolve(state) : () => Promise.reject(new CoreError('NOT_PAIRED', 'configuration error')),
    ]),
  ) as unknown as ApiHandlers;
  return { handlers, subscribe: () => () => undefined, close: () => Promise.resolve() };
}
