/**
 * The typed client the stores use to reach the core. It is the only place that touches
 * `window.wardline`: results are unwrapped into values, failures into an `ApiCallError` with a
 * stable code the UI translates (never a message from the other side).
 */
import type {
  ApiErrorCode,
  ApiEventName,
  ApiEventPayload,
  ApiInput,
  ApiMethodName,
  ApiOutput,
  WardlineBridge,
} from '../shared/api';

/** API codes plus the two failures that happen on this side of the bridge. */
export type UiErrorCode = ApiErrorCode | 'BRIDGE_UNAVAILABLE' | 'UNEXPECTED';

export class ApiCallError extends Error {
  readonly code: UiErrorCode;
  readonly method: ApiMethodName | undefined;
  readonly detail: string | undefined;

  constructor(code: UiErrorCode, method?: ApiMethodName, detail?: string) {
    super(`${method ?? 'bridge'} failed: ${code}`);
    this.name = 'ApiCallError';
    this.code = code;
    this.method = method;
    this.detail = detail;
  }
}

export interface WardlineClient {
  call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

export function createWardlineClient(bridge: WardlineBridge | undefined): WardlineClient {
  return {
    async call(method, input) {
      if (!bridge) throw new ApiCallError('BRIDGE_UNAVAILABLE', method);
      let result;
      try {
        result = await bridge.call(method, input);
      } catch {
        throw new ApiCallError('BRIDGE_UNAVAILABLE', method);
      }
      if (result.ok) return result.value;
      throw new ApiCallError(result.error.code, method, result.error.detail);
    },
    on(event, listener) {
      if (!bridge) return () => undefined;
      return bridge.on(event, listener);
    },
  };
}

/** The code to show for anything thrown, whatever it was. */
export function errorCodeOf(error: unknown): UiErrorCode {
  return error instanceof ApiCallError ? error.code : 'UNEXPECTED';
}

let installed: WardlineClient | undefined;

/** main.ts installs the client over `window.wardline`; unit tests install one over a fake bridge. */
export function installWardlineClient(client: WardlineClient): void {
  installed = client;
}

export function useWardline(): WardlineClient {
  installed ??= createWardlineClient(typeof window === 'undefined' ? undefined : window.wardline);
  return installed;
}
