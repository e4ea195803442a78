/**
 * The two frames sent once per envelope, encoded by hand: the deterministic CBOR of
 * `deliver {i, e}` and of `ok {r, x: {s}}` for a send. Byte-for-byte what encodeRelayFrame
 * produces (tested), without the generic encoder's per-call work on the hot path.
 */
import type { EnvelopeId } from '../src/shared/protocol/ids';
import type { Settlement } from './offline-queue';

function head(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >>> 8, n & 0xff];
  return [m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
// Keys of equal length sort bytewise: e, i, t, v and r, t, v, x.
const DELIVER_TAIL = Uint8Array.from([0x61, 0x74, ...head(3, 7), ...ascii('deliver'), 0x61, 0x76, 0x01]);
const OK_MIDDLE = [0x61, 0x74, ...head(3, 2), ...ascii('ok'), 0x61, 0x76, 0x01, 0x61, 0x78, 0xa1, 0x61, 0x73];
const SETTLED: Record<Settlement, number[]> = {
  stored: [...head(3, 6), ...ascii('stored')],
  delivered: [...head(3, 9), ...ascii('delivered')],
};

export function encodeDeliverFrame(id: EnvelopeId, envelope: Uint8Array): Uint8Array {
  const start = [0xa4, 0x61, 0x65, ...head(2, envelope.length)];
  const out = new Uint8Array(start.length + envelope.length + 4 + id.length + DELIVER_TAIL.length);
  out.set(start, 0);
  let at = start.length;
  out.set(envelope, at);
  at += envelope.length;
  out[at++] = 0x61;
  out[at++] = 0x69;
  out[at++] = 0x60 | 24;
  out[at++] = id.length;
  for (let k = 0; k < id.length; k++) out[at++] = id.charCodeAt(k);
  out.set(DELIVER_TAIL, at);
  return out;
}

export function encodeSendOkFrame(requestId: number, how: Settlement): Uint8Array {
  return Uint8Array.from([0xa4, 0x61, 0x72, ...head(0, requestId), ...OK_MIDDLE, ...SETTLED[how]]);
}
