import { describe, expect, it } from 'vitest';
import { RELAY_ACK_BATCH_MAX } from '../src/shared/limits';
import { encodeCbor } from '../src/shared/protocol/codec';
import { newDeviceId, newEnvelopeId } from '../src/shared/protocol/ids';
import { decodeSealedEnvelope, encodeSealedEnvelope, MAX_ENVELOPE_CIPHERTEXT } from '../src/shared/protocol/sealed-envelope';
import { decodeClientFrame } from '../src/shared/wire/frames';
import { decodeHotEnvelope, decodeHotFrame } from './hot-decoding';

function schema<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): T | 'refused' {
  try {
    return decode(bytes);
  } catch {
    return 'refused';
  }
}

const id = newEnvelopeId();
const to = newDeviceId();
const frames: [string, unknown][] = [
  ['send', { v: 1, t: 'send', r: 7, e: new Uint8Array([1, 2, 3]) }],
  ['send r = 2^32-1', { v: 1, t: 'send', r: 0xffff_ffff, e: new Uint8Array(10) }],
  ['send r = 2^32', { v: 1, t: 'send', r: 0x1_0000_0000, e: new Uint8Array(10) }],
  ['send r negative', { v: 1, t: 'send', r: -1, e: new Uint8Array(10) }],
  ['send r fractional', { v: 1, t: 'send', r: 1.5, e: new Uint8Array(10) }],
  ['send e string', { v: 1, t: 'send', r: 1, e: 'abc' }],
  ['send empty e', { v: 1, t: 'send', r: 1, e: new Uint8Array(0) }],
  ['send version 2', { v: 2, t: 'send', r: 1, e: new Uint8Array(1) }],
  ['send extra key instead of r', { v: 1, t: 'send', x: 1, e: new Uint8Array(1) }],
  ['send extra key', { v: 1, t: 'send', r: 1, e: new Uint8Array(1), z: 0 }],
  ['send missing e', { v: 1, t: 'send', r: 1 }],
  ['other 4-key frame', { v: 1, t: 'rv-send', r: 1, c: 'a'.repeat(22) }],
  ['ack one', { v: 1, t: 'ack', i: id }],
  ['ack batch', { v: 1, t: 'ack', i: [id, newEnvelopeId()] }],
  ['ack full batch', { v: 1, t: 'ack', i: Array.from({ length: RELAY_ACK_BATCH_MAX }, () => id) }],
  ['ack batch too big', { v: 1, t: 'ack', i: Array.from({ length: RELAY_ACK_BATCH_MAX + 1 }, () => id) }],
  ['ack empty batch', { v: 1, t: 'ack', i: [] }],
  ['ack bad id', { v: 1, t: 'ack', i: id.toUpperCase() }],
  ['ack short id', { v: 1, t: 'ack', i: id.slice(1) }],
  ['ack bad id in batch', { v: 1, t: 'ack', i: [id, 'x'] }],
  ['ack number', { v: 1, t: 'ack', i: 5 }],
  ['ack nested', { v: 1, t: 'ack', i: [[id]] }],
  ['ack with r', { v: 1, t: 'ack', r: 1 }],
  ['rv-close', { v: 1, t: 'rv-close', c: 'a'.repeat(22) }],
  ['array', [1, 't', 3]],
  ['string', 'send'],
];

const envelope = (fields: Record<string, unknown>) => encodeCbor({ v: 1, to, id, t: 10, x: 20, c: new Uint8Array([9]), ...fields });
const envelopes: [string, Uint8Array][] = [
  ['valid', encodeSealedEnvelope({ to, id, sentAt: 10, expiresAt: 20, ciphertext: new Uint8Array(100) })],
  ['x = t', envelope({ x: 10 })],
  ['x < t', envelope({ x: 9 })],
  ['negative t', envelope({ t: -1 })],
  ['fractional x', envelope({ x: 20.5 })],
  ['unsafe x', envelope({ x: 2 ** 53 })],
  ['empty ciphertext', envelope({ c: new Uint8Array(0) })],
  ['largest ciphertext', envelope({ c: new Uint8Array(MAX_ENVELOPE_CIPHERTEXT) })],
  ['too large ciphertext', envelope({ c: new Uint8Array(MAX_ENVELOPE_CIPHERTEXT + 1) })],
  ['bad to', envelope({ to: 'nope' })],
  ['bad id', envelope({ id: 12 })],
  ['version 2', envelope({ v: 2 })],
  ['ciphertext as string', envelope({ c: 'abc' })],
  ['extra key replacing one', encodeCbor({ v: 1, to, id, t: 10, x: 20, y: 1 })],
  ['extra key', encodeCbor({ v: 1, to, id, t: 10, x: 20, c: new Uint8Array([9]), z: 1 })],
  ['not deterministic (indefinite map)', Uint8Array.from([0xbf, 0xff])],
  ['garbage', Uint8Array.from([0xa6, 0xff, 0x00])],
];

describe('hot-path decoding agrees with the schemas', () => {
  it.each(frames)('client frame: %s', (_, value) => {
    const bytes = encodeCbor(value);
    const hot = decodeHotFrame(bytes);
    const full = schema(decodeClientFrame, bytes);
    // The fast path may decline (the schema decides then), but never accepts what the schema refuses.
    if (hot !== undefined) expect(hot).toEqual(full);
    if (full === 'refused') expect(hot).toBeUndefined();
  });

  it('the fast path takes every valid send and ack (otherwise it would not be fast)', () => {
    for (const [name, value] of frames.filter(([n]) => ['send', 'ack one', 'ack batch', 'ack full batch'].includes(n))) {
      expect(decodeHotFrame(encodeCbor(value)), name).toBeDefined();
    }
  });

  it.each(envelopes)('sealed envelope: %s', (name, bytes) => {
    const hot = decodeHotEnvelope(bytes);
    const full = schema(decodeSealedEnvelope, bytes);
    if (hot !== undefined) expect(hot).toEqual(full);
    if (full === 'refused') expect(hot).toBeUndefined();
    if (name === 'valid' || name === 'largest ciphertext' || name === 'x = t') expect(hot).toBeDefined();
  });

  it('declines truncated and non-deterministic encodings of a valid frame', () => {
    const bytes = encodeCbor({ v: 1, t: 'send', r: 7, e: new Uint8Array([1, 2, 3]) });
    expect(decodeHotFrame(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    // r = 7 encoded in two bytes instead of one: valid CBOR, not deterministic.
    const loose = Uint8Array.from([...bytes]);
    const at = loose.indexOf(0x07);
    const widened = Uint8Array.from([...loose.subarray(0, at), 0x18, 0x07, ...loose.subarray(at + 1)]);
    expect(schema(decodeClientFrame, widened)).toBe('refused');
    expect(decodeHotFrame(widened)).toBeUndefined();
  });
});

describe('hot-path decoding of damaged frames', () => {
  const send = encodeCbor({ v: 1, t: 'send', r: 300, e: encodeSealedEnvelope({ to, id, sentAt: 1_764_000_000_000, expiresAt: 1_764_003_600_000, ciphertext: new Uint8Array(40).fill(7) }) });
  const acks = [encodeCbor({ v: 1, t: 'ack', i: id }), encodeCbor({ v: 1, t: 'ack', i: [id, newEnvelopeId()] })];
  const sealed = encodeSealedEnvelope({ to, id, sentAt: 1_764_000_000_000, expiresAt: 1_764_003_600_000, ciphertext: new Uint8Array(40).fill(7) });

  /** Every single-byte change (three values per position) and every truncation and extension. */
  function* damaged(bytes: Uint8Array): Generator<Uint8Array> {
    for (let at = 0; at < bytes.length; at++) {
      for (const value of [bytes[at]! ^ 0x01, bytes[at]! ^ 0x20, 0xff]) {
        const copy = Uint8Array.from(bytes);
        copy[at] = value;
        yield copy;
      }
      yield bytes.subarray(0, at);
    }
    yield Uint8Array.from([...bytes, 0x00]);
  }

  it('never accepts a damaged frame the schema refuses, nor reads one differently', () => {
    let accepted = 0;
    for (const bytes of [send, ...acks]) {
      for (const variant of damaged(bytes)) {
        const hot = decodeHotFrame(variant);
        const full = schema(decodeClientFrame, variant);
        if (hot === undefined) continue;
        accepted++;
        expect(full).not.toBe('refused');
        expect(hot).toEqual(full);
      }
    }
    // Changing a byte of the ciphertext or of an id's hex digit keeps a frame valid.
    expect(accepted).toBeGreaterThan(0);
  });

  it('never accepts a damaged sealed envelope the schema refuses, nor reads one differently', () => {
    for (const variant of damaged(sealed)) {
      const hot = decodeHotEnvelope(variant);
      if (hot === undefined) continue;
      expect(hot).toEqual(schema(decodeSealedEnvelope, variant));
    }
  });

  it('copies the envelope out of a send frame (the read buffer is reused)', () => {
    const frame = Buffer.from(send);
    const hot = decodeHotFrame(frame);
    if (hot?.t !== 'send') throw new Error('not decoded');
    frame.fill(0);
    expect(decodeHotEnvelope(hot.e)?.id).toBe(id);
  });
});
