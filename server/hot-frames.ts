/**
 * The two frames sent once per envelope, encoded by hand: the deterministic CBOR of
 * `deliver {i, e}` and of `ok {r, x: {s}}` for a send. Byte-for-byte what encodeRelayFrame
 * produces (tested), without the generic encoder's per-call work on the hot path. An envelope
 * received in a `send` is copied once, straight into the deliver frame that will carry it.
 *
 * Frames are Node Buffers from the shared allocation pool (every byte is written, so nothing
 * uninitialised goes out): a fresh ArrayBuffer per frame cost about 1 µs more each, and `ws`
 * would wrap a plain Uint8Array in a Buffer again before sending it.
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

/** Writes a CBOR head at `at`; returns the position after it. */
function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5;
  if (n < 24) {
    out[at] = m | n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = m | 24;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = m | 25;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  out[at] = m | 26;
  out[at + 1] = n >>> 24;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 8) & 0xff;
  out[at + 4] = n & 0xff;
  return at + 5;
}

const headSize = (n: number) => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);

const ID_CHARS = 32;
const deliverPrefixBytes = (envelopeLength: number) => 3 + headSize(envelopeLength);
const deliverFrameBytes = (envelopeLength: number) => deliverPrefixBytes(envelopeLength) + envelopeLength + 4 + ID_CHARS + DELIVER_TAIL.length;

function writeDeliverPrefix(out: Uint8Array, envelopeLength: number): number {
  out[0] = 0xa4;
  out[1] = 0x61;
  out[2] = 0x65;
  return writeHead(out, 3, 2, envelopeLength);
}

function writeDeliverSuffix(out: Uint8Array, at: number, id: string): void {
  out[at++] = 0x61;
  out[at++] = 0x69;
  out[at++] = 0x60 | 24;
  out[at++] = ID_CHARS;
  for (let k = 0; k < ID_CHARS; k++) out[at++] = id.charCodeAt(k);
  out.set(DELIVER_TAIL, at);
}

/**
 * The `deliver` frame for an envelope. When the envelope was received into its own deliver
 * frame (see envelopeInDeliverFrame) that frame is returned as it is, no copy: every byte
 * around the envelope is checked first, so the result is always exactly the encoding.
 */
export function encodeDeliverFrame(id: EnvelopeId, envelope: Uint8Array): Uint8Array {
  const length = envelope.length;
  const prefix = deliverPrefixBytes(length);
  const total = deliverFrameBytes(length);
  const start = envelope.byteOffset - prefix;
  if (id.length === ID_CHARS && start >= 0 && start + total <= envelope.buffer.byteLength) {
    const frame = Buffer.from(envelope.buffer, start, total);
    if (isDeliverFraming(frame, id, length)) return frame;
  }
  const out = Buffer.allocUnsafe(total);
  const at = writeDeliverPrefix(out, length);
  out.set(envelope, at);
  writeDeliverSuffix(out, at + length, id);
  return out;
}

function isDeliverFraming(frame: Uint8Array, id: string, envelopeLength: number): boolean {
  if (frame[0] !== 0xa4 || frame[1] !== 0x61 || frame[2] !== 0x65) return false;
  const n = envelopeLength;
  const byteStringHead = head(2, n);
  for (let k = 0; k < byteStringHead.length; k++) if (frame[3 + k] !== byteStringHead[k]) return false;
  let at = deliverPrefixBytes(n) + n;
  if (frame[at] !== 0x61 || frame[at + 1] !== 0x69 || frame[at + 2] !== (0x60 | 24) || frame[at + 3] !== ID_CHARS) return false;
  at += 4;
  for (let k = 0; k < ID_CHARS; k++) if (frame[at + k] !== id.charCodeAt(k)) return false;
  at += ID_CHARS;
  for (let k = 0; k < DELIVER_TAIL.length; k++) if (frame[at + k] !== DELIVER_TAIL[k]) return false;
  return true;
}

/**
 * Copies `source[start, end)`, a sealed envelope with id `id`, into a new deliver frame and
 * returns the envelope's place in it: delivering it later then costs no copy at all.
 */
export function envelopeInDeliverFrame(id: EnvelopeId, source: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  const frame = Buffer.allocUnsafe(deliverFrameBytes(length));
  const at = writeDeliverPrefix(frame, length);
  frame.set(source.subarray(start, end), at);
  writeDeliverSuffix(frame, at + length, id);
  // A plain Uint8Array view, as every other decoder returns envelopes.
  return new Uint8Array(frame.buffer, frame.byteOffset + at, length);
}

const OK_TAILS: Record<Settlement, Uint8Array> = {
  stored: Uint8Array.from([...OK_MIDDLE, ...SETTLED.stored]),
  delivered: Uint8Array.from([...OK_MIDDLE, ...SETTLED.delivered]),
};

export function encodeSendOkFrame(requestId: number, how: Settlement): Uint8Array {
  const tail = OK_TAILS[how];
  const out = Buffer.allocUnsafe(3 + headSize(requestId) + tail.length);
  out[0] = 0xa4;
  out[1] = 0x61;
  out[2] = 0x72;
  out.set(tail, writeHead(out, 3, 0, requestId));
  return out;
}
