import { describe, expect, it } from 'vitest';
import { newEnvelopeId } from '../src/shared/protocol/ids';
import { decodeRelayFrame, encodeRelayFrame } from '../src/shared/wire/frames';
import { encodeDeliverFrame, encodeSendOkFrame } from './hot-frames';

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
