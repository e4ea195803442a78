/**
 * The load generator's side of the relay's per-envelope frames, without a generic CBOR pass:
 * `send` frames written directly (byte-for-byte what encodeClientFrame + encodeSealedEnvelope
 * produce, tested), and the envelope id read from the fixed tail of a `deliver` frame and
 * copied straight into the `ack`. The generator shares the CPU with the server under test, so
 * every microsecond it spends is taken from the server's result; this keeps its relay-side
 * cost close to its cost against the bare forwarder (one frame built, one id read).
 */
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const ID_CHARS = 32;
const ID_HEAD = [0x78, ID_CHARS];
/** `… i: <id>, t: "deliver", v: 1}`: the last bytes of every deliver frame. */
const DELIVER_ID_PREFIX = Uint8Array.from([0x61, 0x69, ...ID_HEAD]);
const DELIVER_SUFFIX = Uint8Array.from([0x61, 0x74, 0x67, ...ascii('deliver'), 0x61, 0x76, 0x01]);
const DELIVER_TAIL_BYTES = DELIVER_ID_PREFIX.length + ID_CHARS + DELIVER_SUFFIX.length;
const ACK_PREFIX = [0xa3, 0x61, 0x69, ...ID_HEAD];
const ACK_SUFFIX = [0x61, 0x74, 0x63, ...ascii('ack'), 0x61, 0x76, 0x01];
/** `t: "ok"`: what follows the request id in every ok frame (`{r, t, v, x}`). */
const OK_AFTER_R = Uint8Array.from([0x61, 0x74, 0x62, ...ascii('ok')]);

const headSize = (n: number) => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9);

/** Writes a CBOR head (shortest form) at `at`; returns the position after it. */
function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const size = headSize(n);
  out[at] = (major << 5) | (size === 1 ? n : size === 2 ? 24 : size === 3 ? 25 : size === 5 ? 26 : 27);
  if (size === 9) {
    const high = Math.floor(n / 0x1_0000_0000);
    for (let k = 0; k < 4; k++) out[at + 1 + k] = (high >>> (24 - 8 * k)) & 0xff;
  }
  for (let k = 1; k < size && k <= 4; k++) out[at + size - k] = (n >>> (8 * (k - 1))) & 0xff;
  return at + size;
}

function writeAscii(out: Uint8Array, at: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[at + k] = s.charCodeAt(k);
  return at + s.length;
}

/** A one-letter or two-letter key. */
function writeKey(out: Uint8Array, at: number, k: string): number {
  out[at] = 0x60 | k.length;
  return writeAscii(out, at + 1, k);
}

function writeIdField(out: Uint8Array, at: number, k: string, id: string): number {
  at = writeKey(out, at, k);
  out[at] = 0x78;
  out[at + 1] = ID_CHARS;
  return writeAscii(out, at + 2, id);
}

export interface LeanSend {
  readonly to: DeviceId;
  readonly id: EnvelopeId;
  readonly sentAt: number;
  readonly expiresAt: number;
  readonly ciphertext: Uint8Array;
  readonly requestId: number;
}

/** `{v: 1, t: 'send', r, e: sealed envelope {v: 1, to, id, t, x, c}}` in deterministic CBOR. */
export function leanSendFrame(s: LeanSend): Uint8Array {
  const c = s.ciphertext.length;
  // Keys sort by length, then bytewise: c, t, v, x, id, to (envelope) and e, r, t, v (frame).
  const envelopeLength = 1 + 2 + headSize(c) + c + 2 + headSize(s.sentAt) + 3 + 2 + headSize(s.expiresAt) + 2 * (3 + 2 + ID_CHARS);
  const out = new Uint8Array(1 + 2 + headSize(envelopeLength) + envelopeLength + 2 + headSize(s.requestId) + 2 + 5 + 3);
  out[0] = 0xa4;
  let at = writeKey(out, 1, 'e');
  at = writeHead(out, at, 2, envelopeLength);
  out[at++] = 0xa6;
  at = writeKey(out, at, 'c');
  at = writeHead(out, at, 2, c);
  out.set(s.ciphertext, at);
  at = writeKey(out, at + c, 't');
  at = writeHead(out, at, 0, s.sentAt);
  at = writeKey(out, at, 'v');
  out[at++] = 0x01;
  at = writeKey(out, at, 'x');
  at = writeHead(out, at, 0, s.expiresAt);
  at = writeIdField(out, at, 'id', s.id);
  at = writeIdField(out, at, 'to', s.to);
  at = writeKey(out, at, 'r');
  at = writeHead(out, at, 0, s.requestId);
  at = writeKey(out, at, 't');
  out[at++] = 0x64;
  at = writeAscii(out, at, 'send');
  at = writeKey(out, at, 'v');
  out[at] = 0x01;
  return out;
}

/** Where the envelope id sits in a `deliver` frame, or undefined if `frame` is not one. */
export function deliveredIdAt(frame: Uint8Array): number | undefined {
  const start = frame.length - DELIVER_TAIL_BYTES;
  if (start < 4 || frame[0] !== 0xa4 || frame[1] !== 0x61 || frame[2] !== 0x65) return undefined;
  for (let k = 0; k < DELIVER_ID_PREFIX.length; k++) if (frame[start + k] !== DELIVER_ID_PREFIX[k]) return undefined;
  const suffixAt = start + DELIVER_ID_PREFIX.length + ID_CHARS;
  for (let k = 0; k < DELIVER_SUFFIX.length; k++) if (frame[suffixAt + k] !== DELIVER_SUFFIX[k]) return undefined;
  return start + DELIVER_ID_PREFIX.length;
}

/** The `ack` for the envelope whose id starts at `idAt` in `frame` (see deliveredIdAt). */
export function leanAckFrame(frame: Uint8Array, idAt: number): Uint8Array {
  const out = new Uint8Array(ACK_PREFIX.length + ID_CHARS + ACK_SUFFIX.length);
  out.set(ACK_PREFIX, 0);
  out.set(frame.subarray(idAt, idAt + ID_CHARS), ACK_PREFIX.length);
  out.set(ACK_SUFFIX, ACK_PREFIX.length + ID_CHARS);
  return out;
}

/** The sequence number in the id's last 8 hex digits (see relay-device.ts envelopeIdFor). */
export function seqAt(frame: Uint8Array, idAt: number): number {
  let seq = 0;
  for (let k = idAt + ID_CHARS - 8; k < idAt + ID_CHARS; k++) {
    const c = frame[k]!;
    seq = seq * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return seq;
}

/** True for an `ok` frame (`{r, t: 'ok', …}`); anything else needs a real decode. */
export function isOkFrame(frame: Uint8Array): boolean {
  if (frame[0] !== 0xa4 || frame[1] !== 0x61 || frame[2] !== 0x72) return false;
  const info = frame[3]! & 0x1f;
  const at = 4 + (info < 24 ? 0 : info === 24 ? 1 : info === 25 ? 2 : 4);
  for (let k = 0; k < OK_AFTER_R.length; k++) if (frame[at + k] !== OK_AFTER_R[k]) return false;
  return true;
}
