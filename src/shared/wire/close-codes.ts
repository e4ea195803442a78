/**
 * WebSocket close codes the relay uses (4000-4999 is the application range). Clients act on
 * the code, never on the reason text. See docs/protocol.md §15.
 */
export const CLOSE_CODES = {
  /** Normal close by either side. */
  NORMAL: 1000,
  /** The relay is shutting down; reconnect later. */
  GOING_AWAY: 1001,
  /** A frame over the size limit (sent by the ws library itself). */
  TOO_LARGE: 1009,
  /** Garbage that is not a frame at all, or a text frame. */
  MALFORMED: 4400,
  /** The desktop session reached its limit; pair again. */
  SESSION_EXPIRED: 4401,
  /** The device was revoked (after its wipe command, if any, was delivered). */
  REVOKED: 4403,
  /** The frame version is not spoken by this relay. */
  UNSUPPORTED_VERSION: 4406,
  /** No authentication (or rendezvous) in time. */
  AUTH_TIMEOUT: 4408,
  /** The same device connected again; this older connection is closed. */
  REPLACED: 4409,
  /** Authentication failed. */
  AUTH_FAILED: 4410,
  /** The connection kept sending after being told it was rate limited. */
  RATE_LIMITED: 4429,
  /** An internal error the relay could not recover the connection from. */
  INTERNAL: 4500,
} as const;
export type CloseCodeName = keyof typeof CLOSE_CODES;
export type CloseCode = (typeof CLOSE_CODES)[CloseCodeName];

/** The short reason text sent with each close code (informative only). */
export const CLOSE_REASONS: Record<CloseCode, string> = {
  1000: 'normal',
  1001: 'relay shutting down',
  1009: 'frame too large',
  4400: 'malformed frame',
  4401: 'session expired',
  4403: 'device revoked',
  4406: 'unsupported version',
  4408: 'auth timeout',
  4409: 'replaced by a newer connection',
  4410: 'auth failed',
  4429: 'rate limited',
  4500: 'internal error',
};

export function closeCodeName(code: number): CloseCodeName | undefined {
  return (Object.keys(CLOSE_CODES) as CloseCodeName[]).find((k) => CLOSE_CODES[k] === code);
}
