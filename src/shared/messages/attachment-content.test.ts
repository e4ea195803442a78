import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors';
import { encodeCbor } from '../protocol/codec';
import { decodeContent, encodeContent, type AttachmentContent } from './content';
import { newMessageId } from './message-id';

const to = 'a'.repeat(32) as AttachmentContent['to'];
function sample(over: Partial<AttachmentContent> = {}): AttachmentContent {
  return {
    kind: 'attachment',
    id: newMessageId(),
    to,
    sentAt: 1_700_000_000_000,
    blobId: 'B'.repeat(43),
    key: new Uint8Array(32).fill(1),
    digest: new Uint8Array(32).fill(2),
    size: 12345,
    mimeType: 'image/jpeg',
    fileName: 'wound.jpg',
    ...over,
  };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ProtocolError ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe('attachment content', () => {
  it('round-trips with and without a caption', () => {
    for (const c of [sample(), sample({ caption: 'left heel, day 3' })]) expect(decodeContent(encodeContent(c))).toEqual(c);
  });

  it('refuses file names that could name a path, bad MIME types, wrong key sizes and oversize files', () => {
    for (const fileName of ['../etc/passwd', 'a/b.jpg', 'a\\b.jpg', '..', 'x\u0000.jpg', '']) {
      expect(code(() => encodeContent(sample({ fileName })))).toBe('MALFORMED');
    }
    for (const mimeType of ['image', 'image/jpeg; charset=x', 'IMAGE/JPEG', '']) {
      expect(code(() => encodeContent(sample({ mimeType })))).toBe('MALFORMED');
    }
    expect(code(() => encodeContent(sample({ key: new Uint8Array(31) })))).toBe('MALFORMED');
    expect(code(() => encodeContent(sample({ size: 101 * 1024 * 1024 })))).toBe('MALFORMED');
    expect(code(() => encodeContent(sample({ blobId: 'short' })))).toBe('MALFORMED');
  });

  it('refuses malformed wire content', () => {
    const wire = { v: 1, k: 'attachment', i: newMessageId(), to, t: 1, b: 'B'.repeat(43), x: new Uint8Array(32), d: new Uint8Array(32), s: 1, m: 'image/png', n: 'a.png' };
    expect(decodeContent(encodeCbor(wire)).kind).toBe('attachment');
    expect(code(() => decodeContent(encodeCbor({ ...wire, s: -1 })))).toBe('MALFORMED');
    expect(code(() => decodeContent(encodeCbor({ ...wire, extra: 1 })))).toBe('MALFORMED');
    expect(code(() => decodeContent(encodeCbor({ ...wire, d: 'digest' })))).toBe('MALFORMED');
  });
});
