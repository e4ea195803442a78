import { describe, expect, it } from 'vitest';
import { newEnvelopeId } from '../src/shared/protocol/ids';
import { decodeRelayFrame, encodeRelayFrame } from '../src/shared/wire/frames';
import { encodeDeliverFrame, encodeSendOkFrame, envelopeInDeliverFrame } from './hot-frames';

describe('hand-encoded hot frames', () => {
  it('equal the generic deterministic encoding for every length class', () => {
    for (const size of [0, 1, 23, 24, 255, 256, 65535, 65536, 200_000]) {
      const id = newEnvelopeId();
      const e = new Uint8Array(size).map((_, i) => i & 0xff);
      expect(Buffer.from(encodeDeliverFrame(id, e)).equals(Buffer.from(encodeRelayFrame({ t: 'deliver', i: id, e })))).toBe(true);
    }
    for (const r of [0, 23, 24, 255, 256, 65535, 65536, 0xffff_ffff]) {
      for (const s of ['stored', 'delivered'] as const) {
        const bytes = encodeSendOkFrame(r, s);
        expect(Buffer.from(bytes).equals(Buffer.from(encodeRelayFrame({ t: 'ok', r, x: { s } })))).toBe(true);
        expect(decodeRelayFrame(bytes)).toEqual({ v: 1, t: 'ok', r, x: { s } });
      }
    }
  });
});

describe('envelopes received into their deliver frame', () => {
  it('are delivered without a copy, and the frame is exactly the encoding', () => {
    for (const size of [1, 23, 24, 255, 256, 65535, 65536]) {
      const id = newEnvelopeId();
      const source = new Uint8Array(size + 10).map((_, i) => (i * 7) & 0xff);
      const envelope = envelopeInDeliverFrame(id, source, 5, 5 + size);
      expect(Buffer.from(envelope).equals(Buffer.from(source.subarray(5, 5 + size)))).toBe(true);
      const frame = encodeDeliverFrame(id, envelope);
      expect(frame.buffer).toBe(envelope.buffer);
      expect(Buffer.from(frame).equals(Buffer.from(encodeRelayFrame({ t: 'deliver', i: id, e: envelope })))).toBe(true);
    }
  });

  it('are encoded afresh when the bytes around them are not their deliver frame', () => {
    const id = newEnvelopeId();
    const envelope = envelopeInDeliverFrame(id, new Uint8Array(300).fill(1), 0, 300);
    // Another id: the framing around the envelope does not match, so a new frame is written.
    const other = newEnvelopeId();
    const frame = encodeDeliverFrame(other, envelope);
    // Frames come from a shared pool: a fresh one may share the ArrayBuffer, never the bytes.
    const overlaps = frame.buffer === envelope.buffer && frame.byteOffset < envelope.byteOffset + 300 && envelope.byteOffset < frame.byteOffset + frame.length;
    expect(overlaps).toBe(false);
    expect(decodeRelayFrame(frame)).toEqual({ v: 1, t: 'deliver', i: other, e: new Uint8Array(300).fill(1) });
    // A damaged byte of the framing (here the tail) is not trusted either.
    const own = encodeDeliverFrame(id, envelope);
    expect(own.buffer).toBe(envelope.buffer);
    own[own.length - 1] = 0x02;
    const afresh = encodeDeliverFrame(id, envelope);
    expect(afresh.buffer === own.buffer && afresh.byteOffset === own.byteOffset).toBe(false);
    expect(Buffer.from(afresh).equals(Buffer.from(encodeRelayFrame({ t: 'deliver', i: id, e: envelope })))).toBe(true);
  });
});
