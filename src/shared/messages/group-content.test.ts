import { describe, expect, it } from 'vitest';
import { GROUP_JOIN_NOTE_MAX_CHARS, GROUP_SNAPSHOT_MAX_BYTES } from '../limits';
import { encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey } from '../protocol/ids';
import { newGroupId } from '../groups/group-id';
import { thrownCode } from '../testing/error-code';
import { decodeAnyContent, decodeContent, encodeContent, type AnyContent } from './content';
import { newMessageId } from './message-id';

const peer = accountIdFromIdentityKey(new Uint8Array(32).fill(2));
const codeOf = (fn: () => unknown) => thrownCode(fn, { whenNone: 'OK' });

describe('group content', () => {
  it('round-trips the group kinds and group text and attachments', () => {
    const g = newGroupId();
    const samples: AnyContent[] = [
      { kind: 'group-change', change: new Uint8Array([1, 2, 3]) },
      { kind: 'group-change', change: new Uint8Array([1]), snapshot: new Uint8Array([4, 5]) },
      { kind: 'group-join-request', groupId: g },
      { kind: 'group-join-request', groupId: g, attestation: new Uint8Array([9]), note: 'GP in Leuven, please add me' },
      { kind: 'text', id: newMessageId(), to: peer, body: 'Handover at 7', sentAt: 5, groupId: g },
      { kind: 'attachment', id: newMessageId(), to: peer, sentAt: 5, blobId: 'A'.repeat(43), key: new Uint8Array(32), digest: new Uint8Array(32), size: 3, mimeType: 'image/png', fileName: 'x.png', groupId: g },
    ];
    for (const s of samples) expect(decodeAnyContent(encodeContent(s))).toEqual(s);
  });

  it('keeps group kinds away from receivers that do not handle groups', () => {
    const bytes = encodeContent({ kind: 'group-join-request', groupId: newGroupId() });
    expect(codeOf(() => decodeContent(bytes))).toBe('UNKNOWN_KIND');
    const text = encodeContent({ kind: 'text', id: newMessageId(), to: peer, body: 'hi', sentAt: 1, groupId: newGroupId() });
    expect(decodeContent(text).kind).toBe('text');
  });

  it('rejects malformed group content', () => {
    const g = newGroupId();
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-change' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-change', c: new Uint8Array(0) })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-change', c: 'text' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-change', c: new Uint8Array(1), s: new Uint8Array(GROUP_SNAPSHOT_MAX_BYTES + 1) })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-change', c: new Uint8Array(1), x: 1 })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-join-request', g: 'NOT-A-GROUP' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-join-request', g, m: 'x'.repeat(GROUP_JOIN_NOTE_MAX_CHARS + 1) })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-join-request', g, m: '' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'text', i: newMessageId(), to: peer, b: 'hi', t: 1, g: 'G' })))).toBe('MALFORMED');
    expect(codeOf(() => encodeContent({ kind: 'group-join-request', groupId: g, note: 'x'.repeat(GROUP_JOIN_NOTE_MAX_CHARS + 1) }))).toBe('MALFORMED');
    expect(codeOf(() => decodeAnyContent(encodeCbor({ v: 1, k: 'group-join-request', g })))).toBe('OK');
  });
});
