/**
 * Fast paths for the two frames that arrive once per envelope (`send`, `ack`) and for the sealed
 * envelope inside a `send`: one CBOR decode and hand-written checks instead of a schema pass
 * (and, for the envelope, instead of two more decodes). Each returns undefined for anything it
 * does not positively accept, and the caller then takes the full schema path, which decides and
 * explains the refusal; so a fast path can only ever accept a subset of what the schema accepts
 * (tested against the schemas in hot-decoding.test.ts).
 */
import { decode as cborDecode } from 'cborg';
import { RELAY_ACK_BATCH_MAX, RELAY_MAX_FRAME_BYTES } from '../src/shared/limits';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import { MAX_ENVELOPE_CIPHERTEXT, SEALED_ENVELOPE_VERSION, type SealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { WIRE_VERSION, type ClientFrame } from '../src/shared/wire/frames';

/** The same options as decodeCbor (src/shared/protocol/codec.ts): deterministic encoding only. */
const CBOR_OPTIONS = { strict: true, useMaps: false, rejectDuplicateMapKeys: true } as const;
const ID = /^[0-9a-f]{32}$/;

type Fields = Record<string, unknown>;

function decodeMap(bytes: Uint8Array, keyCount: number): Fields | undefined {
  let raw: unknown;
  try {
    raw = cborDecode(bytes, CBOR_OPTIONS);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) return undefined;
  if (Object.getPrototypeOf(raw) !== Object.prototype || Object.keys(raw).length !== keyCount) return undefined;
  return raw as Fields;
}

const isId = (x: unknown): x is string => typeof x === 'string' && ID.test(x);
const isUint32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff;
// zod 4's int() means a safe integer.
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** A `send` or `ack` frame exactly as zClientFrame would accept it, or undefined. */
export function decodeHotFrame(bytes: Uint8Array): ClientFrame | undefined {
  // The smallest `send` is 4 keys, an `ack` 3; both start with a small map header.
  const header = bytes[0];
  if (header === 0xa4) {
    const m = decodeMap(bytes, 4);
    if (!m || m.v !== WIRE_VERSION || m.t !== 'send' || !isUint32(m.r)) return undefined;
    const e = m.e;
    if (!(e instanceof Uint8Array) || e.length > RELAY_MAX_FRAME_BYTES) return undefined;
    return { v: WIRE_VERSION, t: 'send', r: m.r, e };
  }
  if (header === 0xa3) {
    const m = decodeMap(bytes, 3);
    if (!m || m.v !== WIRE_VERSION || m.t !== 'ack') return undefined;
    const i = m.i;
    if (isId(i)) return { v: WIRE_VERSION, t: 'ack', i: i as EnvelopeId };
    if (!Array.isArray(i) || i.length < 1 || i.length > RELAY_ACK_BATCH_MAX || !i.every(isId)) return undefined;
    return { v: WIRE_VERSION, t: 'ack', i: i as EnvelopeId[] };
  }
  return undefined;
}

/** A sealed envelope exactly as decodeSealedEnvelope would accept it, or undefined. */
export function decodeHotEnvelope(bytes: Uint8Array): SealedEnvelope | undefined {
  if (bytes[0] !== 0xa6) return undefined;
  const m = decodeMap(bytes, 6);
  if (!m || m.v !== SEALED_ENVELOPE_VERSION || !isId(m.to) || !isId(m.id) || !isTime(m.t) || !isTime(m.x) || m.x < m.t) return undefined;
  const c = m.c;
  if (!(c instanceof Uint8Array) || c.length === 0 || c.length > MAX_ENVELOPE_CIPHERTEXT) return undefined;
  return { to: m.to as DeviceId, id: m.id as EnvelopeId, sentAt: m.t, expiresAt: m.x, ciphertext: c };
}
