/**
 * The `attachment` message content: a pointer to an encrypted blob at the relay plus everything
 * needed to fetch, decrypt and check it. File name and MIME type travel only here, inside the
 * end-to-end encryption; the relay sees an opaque id and a ciphertext length.
 */
import { z } from 'zod';
import { ATTACHMENT_MAX_BYTES, MESSAGE_TEXT_MAX_CHARS } from '../limits';
import { zBytes } from '../protocol/codec';
import { zAccountId, type AccountId } from '../protocol/ids';
import { zBlobId } from '../wire/frames';
import { zMessageId, type MessageId } from './message-id';
import { zGroupId, type GroupId } from '../groups/group-id';

export const ATTACHMENT_FILE_NAME_MAX_CHARS = 255;

export interface AttachmentContent {
  readonly kind: 'attachment';
  readonly id: MessageId;
  readonly to: AccountId;
  readonly sentAt: number;
  readonly blobId: string;
  readonly key: Uint8Array;
  /** SHA-256 of the plaintext. */
  readonly digest: Uint8Array;
  readonly size: number;
  readonly mimeType: string;
  readonly fileName: string;
  readonly caption?: string;
  /** Set for a group message: the group it belongs to (`to` is then ignored). */
  readonly groupId?: GroupId;
}

/** A MIME type as `type/subtype`, no parameters: receivers decide how to show a file from it. */
export const zMimeType = z.string().regex(/^[a-z0-9][a-z0-9.+-]{0,63}\/[a-z0-9][a-z0-9.+-]{0,127}$/);
/** A bare file name: no path separators or control characters, so it can never name a path. */
// eslint-disable-next-line no-control-regex
export const zFileName = z.string().min(1).max(ATTACHMENT_FILE_NAME_MAX_CHARS).regex(/^[^/\\\u0000-\u001f\u007f]+$/).refine((n) => n !== '.' && n !== '..');

export const zAttachmentWire = z.object({
  i: zMessageId,
  to: zAccountId,
  t: z.number().int().nonnegative(),
  b: zBlobId,
  x: zBytes(32),
  d: zBytes(32),
  s: z.number().int().min(0).max(ATTACHMENT_MAX_BYTES),
  m: zMimeType,
  n: zFileName,
  c: z.string().min(1).max(MESSAGE_TEXT_MAX_CHARS).optional(),
  g: zGroupId.optional(),
});
type AttachmentWire = Omit<z.infer<typeof zAttachmentWire>, 'x' | 'd'> & { x: Uint8Array; d: Uint8Array };

export function attachmentToWire(c: AttachmentContent): AttachmentWire {
  const wire = { i: c.id, to: c.to, t: c.sentAt, b: c.blobId, x: c.key, d: c.digest, s: c.size, m: c.mimeType, n: c.fileName };
  return { ...wire, ...(c.caption === undefined ? {} : { c: c.caption }), ...(c.groupId === undefined ? {} : { g: c.groupId }) };
}

export function attachmentFromWire(w: AttachmentWire): AttachmentContent {
  const content: AttachmentContent = {
    kind: 'attachment',
    id: w.i,
    to: w.to,
    sentAt: w.t,
    blobId: w.b,
    key: w.x,
    digest: w.d,
    size: w.s,
    mimeType: w.m,
    fileName: w.n,
  };
  return { ...content, ...(w.c === undefined ? {} : { caption: w.c }), ...(w.g === undefined ? {} : { groupId: w.g }) };
}
