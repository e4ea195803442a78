/**
 * What the app shows instead of a blank page when rendering itself failed. API failures are not
 * fatal (they become notices); anything else thrown while rendering is.
 */
import { ref } from 'vue';
import { ApiCallError, type UiErrorCode } from './api';

export const fatalError = ref<UiErrorCode | null>(null);

export type ErrorRoute = { kind: 'notice'; error: ApiCallError } | { kind: 'fatal'; code: UiErrorCode };

export function routeError(error: unknown): ErrorRoute {
  if (error instanceof ApiCallError && error.code !== 'BRIDGE_UNAVAILABLE') return { kind: 'notice', error };
  return { kind: 'fatal', code: error instanceof ApiCallError ? error.code : 'UNEXPECTED' };
}
