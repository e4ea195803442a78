/**
 * Plain HTTP on the relay's port: GET /health for monitoring and, only when started with
 * --test-clock on loopback, POST /test/clock?advance=MS for the cross-process tests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdjustableClock } from './adjustable-clock';

export interface HealthSource {
  health(): Record<string, number | string>;
  /** Runs every time rule now (session ends, queue expiry, rendezvous TTL). */
  sweep(): void;
}

export function httpHandler(source: HealthSource, testClock: AdjustableClock | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (req.method === 'GET' && url.pathname === '/health') return json(res, 200, source.health());
    if (testClock && req.method === 'POST' && url.pathname === '/test/clock') {
      const advance = Number(url.searchParams.get('advance'));
      if (!Number.isSafeInteger(advance) || advance < 0) return json(res, 400, { error: 'advance must be a non-negative integer' });
      testClock.advance(advance);
      source.sweep();
      return json(res, 200, { now: testClock.now() });
    }
    json(res, 404, { error: 'not found' });
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
