/**
 * Errors the desktop core raises towards the API. Each code is also an API error code
 * (src/shared/api.ts), so `dispatchApiCall` passes it through unchanged to the renderer.
 */
import type { ApiErrorCode } from '../../shared/api';
import { WardlineError } from '../../shared/errors';

export type CoreErrorCode = Extract<
  ApiErrorCode,
  'INVALID_INPUT' | 'NOT_PAIRED' | 'LOCKED' | 'PIN_POLICY' | 'WRONG_PIN' | 'LOCKED_OUT' | 'NOT_FOUND' | 'RELAY_UNAVAILABLE' | 'SESSION_EXPIRED' | 'SAFETY_NUMBER_CHANGED' | 'INTERNAL'
>;

export class CoreError extends WardlineError<CoreErrorCode> {}
