import { describe, expect, it } from 'vitest';
import { MESSAGE_TEXT_MAX_CHARS, RECEIPT_MAX_IDS } from '../limits';
import { encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey } from '../protocol/ids';
import { ContentError, decodeContent, encodeContent, type MessageContent } from './content';
import { newMessageId } from './message-id';
import { createAccountIdentity } from '../protocol/identity';
import { signProfileAttestation, verifyProfileAttestation } from './profile';
import { thrownCode } from '../testing/error-code';

const peer = accountIdFromIdentityKey(new Uint8Array(32).fill(1));

const codeOf = (fn: () => unknown) => thrownCode(fn, { whenNone: 'OK' });

describe('message content', () => {
  it('round-trips every kind', () => {
    const samples: MessageContent[] = [
      { kind: 'text', id: newMessageId(), to: peer, body: 'Bed 12: BP 90/60 — please review ✓', sentAt: 1_700_000_000_000 },
      { kind: 'receipt', to: peer, receipt: 'read', ids: [newMessageId(), newMessageId()] },
      { kind: 'receipt', to: peer, receipt: 'delivered', ids: [newMessageId()] },
      { kind: 'profile', profile: { displayName: 'Dr. A. Example', profession: 'Cardiology' } },
    ];
    for (const s of samples) expect(decodeContent(encodeContent(s))).toEqual(s);
  });

  it('refuses to encode what a receiver would refuse', () => {
    expect(codeOf(() => encodeContent({ kind: 'text', id: newMessageId(), to: peer, body: '', sentAt: 1 }))).toBe('MALFORMED');
    expect(codeOf(() => encodeContent({ kind: 'text', id: newMessageId(), to: peer, body: 'x'.repeat(MESSAGE_TEXT_MAX_CHARS + 1), sentAt: 1 }))).toBe('MALFORMED');
    const ids = Array.from({ length: RECEIPT_MAX_IDS + 1 }, () => newMessageId());
    expect(codeOf(() => encodeContent({ kind: 'receipt', to: peer, receipt: 'read', ids }))).toBe('MALFORMED');
  });

  it('rejects unknown versions and kinds with typed errors', () => {
    expect(codeOf(() => decodeContent(encodeCbor({ v: 2, k: 'text' })))).toBe('UNSUPPORTED_VERSION');
    let error: unknown;
    try {
      decodeContent(encodeCbor({ v: 1, k: 'sticker', x: 1 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).code).toBe('UNKNOWN_KIND');
  });

  it('rejects malformed content', () => {
    const good = { v: 1, k: 'text', i: newMessageId(), to: peer, b: 'hi', t: 1 };
    expect(codeOf(() => decodeContent(new Uint8Array([0xa1])))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor([1, 2])))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ ...good, i: 'not-an-id' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ ...good, to: 'ABC' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ ...good, t: -1 })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ ...good, extra: true })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ v: 1, k: 'receipt', to: peer, r: 'seen', i: [newMessageId()] })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor({ v: 1, k: 'receipt', to: peer, r: 'read', i: [] })))).toBe('MALFORMED');
    expect(codeOf(() => decodeContent(encodeCbor(good)))).toBe('OK');
  });
});


describe('profile attestation', () => {
  it('verifies under the account identity only', () => {
    const me = createAccountIdentity();
    const other = createAccountIdentity();
    const bytes = signProfileAttestation(me, { displayName: 'Dr. A', profession: 'Surgeon' }, 7);
    expect(verifyProfileAttestation(bytes, me.identity.publicKey)).toEqual({ displayName: 'Dr. A', profession: 'Surgeon', issuedAt: 7 });
    expect(codeOf(() => verifyProfileAttestation(bytes, other.identity.publicKey))).toBe('IDENTITY_MISMATCH');
    const tampered = bytes.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(codeOf(() => verifyProfileAttestation(tampered, me.identity.publicKey))).toBe('BAD_SIGNATURE');
  });
});
