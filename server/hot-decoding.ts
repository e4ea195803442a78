/**
 * Fast paths for the two frames that arrive once per envelope (`send`, `ack`) and for the sealed
 * envelope inside a `send`. They read the bytes in place, accepting only the one deterministic
 * encoding a conforming client produces (keys in canonical order, shortest heads), instead of a
 * generic CBOR decode, a schema pass and, for the envelope, two more decodes: that generic work
 * was the largest share of the relay's CPU per envelope after the socket writes. Each returns
 * undefined for anything it does not positively accept, and the caller then takes the full
 * schema path, which decides and explains the refusal; so a fast path can only ever accept a
 * subset of what the schema accepts (tested against the schemas in hot-decoding.test.ts).
 */
import { RELAY_ACK_BATCH_MAX, RELAY_MAX_FRAME_BYTES } from '../src/shared/limits';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import { MAX_ENVELOPE_CIPHERTEXT, SEALED_ENVELOPE_VERSION, type SealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { WIRE_VERSION, type ClientFrame } from '../src/shared/wire/frames';
import { envelopeInDeliverFrame } from './hot-frames';

const ID_CHARS = 32;
const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;

/** A cursor over one frame; `at < 0` once anything did not match (every read then fails too). */
class Reader {
  at = 0;
  /** The same bytes as a Buffer, for reading ids as strings natively (no per-character concatenation). */
  readonly #text: Buffer;
  constructor(readonly bytes: Uint8Array) {
    this.#text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.at === this.bytes.length;
  }

  fail(): undefined {
    this.at = -1;
    return undefined;
  }

  /** The argument of a head of `major`, only in its shortest form (deterministic CBOR). */
  head(major: number): number | undefined {
    const b = this.bytes;
    const at = this.at;
    if (at < 0 || at >= b.length || b[at]! >> 5 !== major) return this.fail();
    const info = b[at]! & 0x1f;
    if (info < 24) {
      this.at = at + 1;
      return info;
    }
    let n: number;
    let size: number;
    if (info === 24) {
      size = 1;
      n = b[at + 1]!;
      if (n < 24) return this.fail();
    } else if (info === 25) {
      size = 2;
      n = (b[at + 1]! << 8) | b[at + 2]!;
      if (n < 0x100) return this.fail();
    } else if (info === 26) {
      size = 4;
      n = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
      if (n < 0x10000) return this.fail();
    } else if (info === 27) {
      size = 8;
      const high = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
      const low = ((b[at + 5]! << 24) >>> 0) + ((b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!);
      // Only safe integers (what the schemas accept), and never one that fits in 4 bytes.
      if (high === 0 || high > 0x1f_ffff) return this.fail();
      n = high * 0x1_0000_0000 + low;
    } else {
      return this.fail();
    }
    if (at + 1 + size > b.length) return this.fail();
    this.at = at + 1 + size;
    return n;
  }

  /** Exactly these bytes next (a key, a type name, a version). */
  literal(expected: Uint8Array): boolean {
    const b = this.bytes;
    const at = this.at;
    if (at < 0 || at + expected.length > b.length) return this.fail() ?? false;
    for (let k = 0; k < expected.length; k++) if (b[at + k] !== expected[k]) return this.fail() ?? false;
    this.at = at + expected.length;
    return true;
  }

  /** A byte string's extent, at most `max` long. */
  byteString(max: number): [start: number, end: number] | undefined {
    const n = this.head(MAJOR_BYTES);
    if (n === undefined || n > max || this.at + n > this.bytes.length) return this.fail();
    const start = this.at;
    this.at += n;
    return [start, this.at];
  }

  /** A 32-character lowercase hex text (device and envelope ids). */
  hexId(): string | undefined {
    const b = this.bytes;
    const at = this.at;
    // Head 0x78 0x20: a text string of 32 bytes, the shortest head for that length.
    if (at < 0 || at + 2 + ID_CHARS > b.length || b[at] !== 0x78 || b[at + 1] !== ID_CHARS) return this.fail();
    for (let k = at + 2; k < at + 2 + ID_CHARS; k++) {
      const c = b[k]!;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return this.fail();
    }
    this.at = at + 2 + ID_CHARS;
    return this.#text.toString('latin1', at + 2, at + 2 + ID_CHARS);
  }
}

const text = (s: string) => Uint8Array.from([(MAJOR_TEXT << 5) | s.length, ...Array.from(s, (c) => c.charCodeAt(0))]);
const key = (k: string) => text(k);
/** `t: name` then `v: version`, the last two entries of every frame in canonical key order. */
const typeAndVersion = (name: string) => Uint8Array.from([...key('t'), ...text(name), ...key('v'), WIRE_VERSION]);

const SEND_HEAD = Uint8Array.from([0xa4, ...key('e')]);
const SEND_R = key('r');
const SEND_TAIL = typeAndVersion('send');
const ACK_HEAD = Uint8Array.from([0xa3, ...key('i')]);
const ACK_TAIL = typeAndVersion('ack');
// Canonical order sorts keys by length first: c, t, v, x, then id, to.
const ENVELOPE_HEAD = Uint8Array.from([0xa6, ...key('c')]);
const ENVELOPE_T = key('t');
const ENVELOPE_V = Uint8Array.from([...key('v'), SEALED_ENVELOPE_VERSION]);
const ENVELOPE_X = key('x');
const ENVELOPE_ID = key('id');
const ENVELOPE_TO = key('to');

/**
 * The envelope of the last `send` read, which routing reads next: the same bytes object (a copy
 * only this module made, never changed) is not parsed twice.
 */
let lastEnvelope: { readonly bytes: Uint8Array; readonly envelope: SealedEnvelope } | undefined;

/** A `send` or `ack` frame exactly as zClientFrame would accept it, or undefined. */
export function decodeHotFrame(bytes: Uint8Array): ClientFrame | undefined {
  const first = bytes[0];
  if (first === 0xa4) return readSend(new Reader(bytes));
  if (first === 0xa3) return readAck(new Reader(bytes));
  return undefined;
}

function readSend(r: Reader): ClientFrame | undefined {
  r.literal(SEND_HEAD);
  const e = r.byteString(RELAY_MAX_FRAME_BYTES);
  r.literal(SEND_R);
  const requestId = r.head(MAJOR_UINT);
  r.literal(SEND_TAIL);
  if (!e || requestId === undefined || requestId > 0xffff_ffff || !r.done) return undefined;
  // A copy: the envelope may be held long after the socket's read buffer is reused. A valid
  // envelope is copied into the deliver frame that will carry it (hot-frames.ts).
  const envelope = decodeHotEnvelope(r.bytes.subarray(e[0], e[1]));
  if (!envelope) return { v: WIRE_VERSION, t: 'send', r: requestId, e: Uint8Array.prototype.slice.call(r.bytes, e[0], e[1]) };
  const copy = envelopeInDeliverFrame(envelope.id, r.bytes, e[0], e[1]);
  const offset = envelope.ciphertext.byteOffset - r.bytes.byteOffset - e[0];
  lastEnvelope = { bytes: copy, envelope: { ...envelope, ciphertext: copy.subarray(offset, offset + envelope.ciphertext.length) } };
  return { v: WIRE_VERSION, t: 'send', r: requestId, e: copy };
}

function readAck(r: Reader): ClientFrame | undefined {
  r.literal(ACK_HEAD);
  const b = r.bytes;
  if (b[r.at] === 0x78) {
    const id = r.hexId();
    r.literal(ACK_TAIL);
    return id !== undefined && r.done ? { v: WIRE_VERSION, t: 'ack', i: id as EnvelopeId } : undefined;
  }
  const count = r.head(MAJOR_ARRAY);
  if (count === undefined || count < 1 || count > RELAY_ACK_BATCH_MAX) return undefined;
  const ids: EnvelopeId[] = [];
  for (let k = 0; k < count; k++) {
    const id = r.hexId();
    if (id === undefined) return undefined;
    ids.push(id as EnvelopeId);
  }
  r.literal(ACK_TAIL);
  return r.done ? { v: WIRE_VERSION, t: 'ack', i: ids } : undefined;
}

/**
 * A sealed envelope exactly as decodeSealedEnvelope would accept it, or undefined. The
 * ciphertext is a view into `bytes` (the relay never reads it; it forwards `bytes`).
 */
export function decodeHotEnvelope(bytes: Uint8Array): SealedEnvelope | undefined {
  if (lastEnvelope?.bytes === bytes) return lastEnvelope.envelope;
  if (bytes[0] !== 0xa6) return undefined;
  const r = new Reader(bytes);
  r.literal(ENVELOPE_HEAD);
  const c = r.byteString(MAX_ENVELOPE_CIPHERTEXT);
  r.literal(ENVELOPE_T);
  const sentAt = r.head(MAJOR_UINT);
  r.literal(ENVELOPE_V);
  r.literal(ENVELOPE_X);
  const expiresAt = r.head(MAJOR_UINT);
  r.literal(ENVELOPE_ID);
  const id = r.hexId();
  r.literal(ENVELOPE_TO);
  const to = r.hexId();
  if (!c || c[1] === c[0] || sentAt === undefined || expiresAt === undefined || expiresAt < sentAt || !id || !to || !r.done) return undefined;
  return { to: to as DeviceId, id: id as EnvelopeId, sentAt, expiresAt, ciphertext: new Uint8Array(bytes.buffer, bytes.byteOffset + c[0], c[1] - c[0]) };
}
