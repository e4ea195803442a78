/**
 * One browser connection of the web transport: JSON call frames in, `dispatchApiCall` results
 * and core events out. A bad frame gets an answer, never a crash or a hang.
 */
import type { WebSocket } from 'ws';
import { dispatchApiCall, type DispatchLogger } from '../main/core/api/dispatch';
import type { DesktopCore } from '../main/core/desktop-core';
import type { WebHostFrame } from '../shared/web-socket-api';
import { parseCallFrame } from './call-frame';

/** Calls one connection may have running at once; more are refused until some finish. */
export const MAX_CALLS_IN_FLIGHT = 64;

export function serveApiSocket(socket: WebSocket, core: DesktopCore, log?: DispatchLogger): void {
  let inFlight = 0;
  const send = (frame: WebHostFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const unsubscribe = core.subscribe((event, payload) => send({ type: 'event', event, payload }));
  socket.on('close', unsubscribe);
  socket.on('error', () => socket.terminate());

  socket.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    // The bridge speaks JSON text frames only; binary is refused unread.
    const parsed = isBinary ? { ok: false as const } : parseCallFrame(bytes.toString('utf8'));
    if (!parsed.ok) {
      log?.warn({ transport: 'web' }, 'unreadable api frame');
      if (parsed.id === undefined) send({ type: 'error', code: 'INVALID_INPUT' });
      else send({ type: 'result', id: parsed.id, result: { ok: false, error: { code: 'INVALID_INPUT', detail: 'frame' } } });
      return;
    }
    const { id, method, input } = parsed.frame;
    if (inFlight >= MAX_CALLS_IN_FLIGHT) {
      send({ type: 'result', id, result: { ok: false, error: { code: 'INTERNAL', detail: 'busy' } } });
      return;
    }
    inFlight++;
    dispatchApiCall(core.handlers, method, input, log)
      .catch(() => ({ ok: false as const, error: { code: 'INTERNAL' as const } }))
      .then((result) => send({ type: 'result', id, result }))
      .finally(() => {
        inFlight--;
      })
      .catch(() => undefined);
  });
}
