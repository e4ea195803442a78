import { describe, expect, it } from 'vitest';
import { newDeviceId, newEnvelopeId } from '../../src/shared/protocol/ids';
import { decodeSealedEnvelope, encodeSealedEnvelope } from '../../src/shared/protocol/sealed-envelope';
import { decodeClientFrame, encodeClientFrame, encodeRelayFrame } from '../../src/shared/wire/frames';
import { deliveredIdAt, isOkFrame, leanAckFrame, leanSendFrame, seqAt } from './lean-relay-frames';

describe('lean relay frames of the load generator', () => {
  it('writes send frames exactly as the product encoder does', () => {
    for (const size of [1, 23, 24, 1024, 70_000]) {
      for (const [r, sentAt] of [[1, 5], [300, 1_764_000_000_000], [0xffff_ffff, 2 ** 40]] as const) {
        const s = { to: newDeviceId(), id: newEnvelopeId(), sentAt, expiresAt: sentAt + 3_600_000, ciphertext: new Uint8Array(size).fill(3), requestId: r };
        const e = encodeSealedEnvelope({ to: s.to, id: s.id, sentAt: s.sentAt, expiresAt: s.expiresAt, ciphertext: s.ciphertext });
        const lean = leanSendFrame(s);
        expect(Buffer.from(lean).equals(Buffer.from(encodeClientFrame({ t: 'send', r, e })))).toBe(true);
        const frame = decodeClientFrame(lean);
        if (frame.t !== 'send') throw new Error('not a send');
        expect(decodeSealedEnvelope(frame.e).id).toBe(s.id);
      }
    }
  });

  it('reads the id of a deliver frame and acks it; declines other frames', () => {
    const id = `${'ab'.repeat(12)}0000012f`;
    const deliver = encodeRelayFrame({ t: 'deliver', i: id as never, e: new Uint8Array(500).fill(0x61) });
    const at = deliveredIdAt(deliver);
    if (at === undefined) throw new Error('not recognised');
    expect(seqAt(deliver, at)).toBe(0x12f);
    expect(decodeClientFrame(leanAckFrame(deliver, at))).toEqual({ v: 1, t: 'ack', i: id });
    expect(deliveredIdAt(encodeRelayFrame({ t: 'ok', r: 1, x: { s: 'stored' } }))).toBeUndefined();
    expect(deliveredIdAt(new Uint8Array(10))).toBeUndefined();
  });

  it('tells ok frames from error frames', () => {
    for (const r of [0, 23, 24, 300, 70_000]) expect(isOkFrame(encodeRelayFrame({ t: 'ok', r, x: { s: 'delivered' } }))).toBe(true);
    expect(isOkFrame(encodeRelayFrame({ t: 'err', r: 3, c: 'QUEUE_FULL' }))).toBe(false);
  });
});
