/**
 * The one place an API call from the renderer is validated and executed. Both transports
 * (Electron IPC and the loopback web host) hand raw (method, input) pairs to `dispatchApiCall`,
 * so validation and error mapping cannot differ between them.
 */
import {
  API_ERROR_CODES,
  apiMethods,
  isApiMethodName,
  type ApiErrorCode,
  type ApiHandlers,
  type ApiMethodName,
  type ApiResult,
} from '../../../shared/api';
import { isWardlineError } from '../../../shared/errors';

export interface DispatchLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

const knownCodes = new Set<string>(API_ERROR_CODES);

export function toApiErrorCode(err: unknown): ApiErrorCode {
  if (isWardlineError(err) && knownCodes.has(err.code)) return err.code as ApiErrorCode;
  return 'INTERNAL';
}

export async function dispatchApiCall(
  handlers: ApiHandlers,
  method: unknown,
  rawInput: unknown,
  log?: DispatchLogger,
): Promise<ApiResult<unknown>> {
  if (!isApiMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD' } };
  const spec = apiMethods[method];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Only the path and the rule go back: the rejected value itself may be content.
    return { ok: false, error: { code: 'INVALID_INPUT', detail: `${issue?.path.join('.') ?? ''}: ${issue?.code ?? 'invalid'}` } };
  }
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      log?.error({ method, issue: checked.error.issues[0]?.path.join('.') }, 'handler returned a value outside the contract');
      return { ok: false, error: { code: 'INTERNAL', detail: 'output' } };
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    const code = toApiErrorCode(err);
    if (code === 'INTERNAL') log?.error({ method, errName: err instanceof Error ? err.name : typeof err, errCode: isWardlineError(err) ? err.code : undefined }, 'api handler failed');
    else log?.warn({ method, code }, 'api call refused');
    return { ok: false, error: { code, ...(isWardlineError(err) && code !== err.code ? { detail: err.code } : {}) } };
  }
}

export type { ApiMethodName };
