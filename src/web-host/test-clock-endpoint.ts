/**
 * TEST ONLY. A host started with `--test-clock` runs the core on a FakeClock; end-to-end tests
 * move it with `POST /__test__/clock?token=…` and a JSON body `{"advanceMs": n}` or `{"setMs": t}`.
 * Loopback and token protected like everything else; absent unless the flag is given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FakeClock } from '../shared/clock';
import { DAY_MS } from '../shared/limits';

export interface TestClockControl {
  readonly clock: FakeClock;
  /** Called after each move, e.g. to fire the core's timers that became due. */
  readonly afterMove?: () => void;
}

const zMove = z.union([
  z.object({ advanceMs: z.number().int().min(0).max(365 * DAY_MS) }).strict(),
  z.object({ setMs: z.number().int().nonnegative() }).strict(),
]);

const MAX_BODY_BYTES = 1024;

export async function handleTestClock(request: IncomingMessage, response: ServerResponse, control: TestClockControl): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      response.writeHead(413).end();
      return;
    }
    chunks.push(buf);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    body = undefined;
  }
  const move = zMove.safeParse(body);
  if (!move.success) {
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'INVALID_INPUT' }));
    return;
  }
  if ('advanceMs' in move.data) control.clock.advance(move.data.advanceMs);
  else control.clock.set(move.data.setMs);
  control.afterMove?.();
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: control.clock.now() }));
}
