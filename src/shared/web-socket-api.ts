/**
 * The frames of the web transport (the loopback web host ⇄ the browser bridge in
 * src/renderer/bridge/). The same contract as the Electron IPC transport, as JSON text frames
 * over one WebSocket. The host validates what it receives with a schema (src/web-host/).
 */
import type { ApiEventName, ApiResult } from './api';

/** Path of the API socket; the page's token goes in the query (`?token=…`). */
export const WEB_API_PATH = '/api';
/** Test-only endpoint of a host started with `--test-clock` (POST, token required). */
export const WEB_TEST_CLOCK_PATH = '/__test__/clock';

/** browser → host */
export interface WebCallFrame {
  readonly id: number;
  readonly method: string;
  readonly input?: unknown;
}

/** host → browser */
export type WebHostFrame =
  | { readonly type: 'result'; readonly id: number; readonly result: ApiResult<unknown> }
  | { readonly type: 'event'; readonly event: ApiEventName; readonly payload: unknown }
  /** A frame the host could not read at all (no usable id): nothing was run. */
  | { readonly type: 'error'; readonly code: 'INVALID_INPUT' };
