/**
 * Who may talk to the web host: requests addressed to its own loopback origin (a `Host` check
 * defeats DNS rebinding), carrying the random token from the printed URL; the API socket also
 * requires the browser's `Origin` to be that same origin (no other site can open it).
 */
import { constantTimeEqual, utf8ToBytes } from '../shared/bytes';

export interface LoopbackIdentity {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly token: string;
}

export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = utf8ToBytes(candidate);
  const b = utf8ToBytes(token);
  return a.length === b.length && constantTimeEqual(a, b);
}

export function isOwnHost(hostHeader: string | undefined, id: LoopbackIdentity): boolean {
  return hostHeader === id.host;
}

export type SocketRefusal = 'NOT_FOUND' | 'BAD_HOST' | 'BAD_ORIGIN' | 'BAD_TOKEN';

export function socketRefusal(
  request: { readonly url?: string | undefined; readonly headers: { readonly host?: string | undefined; readonly origin?: string | undefined } },
  path: string,
  id: LoopbackIdentity,
): SocketRefusal | undefined {
  const url = new URL(request.url ?? '/', id.origin);
  if (url.pathname !== path) return 'NOT_FOUND';
  if (!isOwnHost(request.headers.host, id)) return 'BAD_HOST';
  if (request.headers.origin !== id.origin) return 'BAD_ORIGIN';
  if (!tokenMatches(url.searchParams.get('token'), id.token)) return 'BAD_TOKEN';
  return undefined;
}
