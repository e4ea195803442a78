/**
 * The plaintext inside the Double Ratchet: what one account says to another. Every kind is a
 * deterministic CBOR map `{ v: CONTENT_VERSION, k: kind, ... }` parsed with a schema.
 *
 * Own-device sync: fan-out sends the same content to the recipient's devices and to the sender's
 * other devices. A device that receives content whose (sealed) sender is its own account knows it
 * is a copy of something it sent from another device; `to` names the conversation peer, so the
 * copy lands in the right conversation. That is why receipts carry `to` too.
 *
 * Layouts (docs/protocol.md §14):
 *   text     { v: 1, k: "text",    i: MessageId, to: AccountId, b: body, t: sentAt ms }
 *   receipt  { v: 1, k: "receipt", to: AccountId, r: "delivered" | "read", i: [MessageId, ...] }
 *   profile  { v: 1, k: "profile", n: displayName, p: profession }
 *   attachment { v: 1, k: "attachment", i: MessageId, to: AccountId, t: sentAt ms, b: blobId,
 *                x: key (32 bytes), d: SHA-256 (32 bytes), s: size, m: MIME type, n: file name, c?: caption }
 *              (the relay blob holds only ciphertext; key, digest, size and name travel here: docs/attachments.md)
 *   text and attachment may carry g: GroupId — a group message (`to` is then ignored; senders put their own id)
 *   group-change, group-join-request: ./group-content.ts (docs/trust-and-groups.md, "Groups")
 * Remote wipe is not content: it is a relay-level command signed by the account identity.
 */
import { z } from 'zod';
import { WardlineError, ProtocolError, unreachable } from '../errors';
import { MESSAGE_TEXT_MAX_CHARS, RECEIPT_MAX_IDS } from '../limits';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { zAccountId, type AccountId } from '../protocol/ids';
import { zMessageId, type MessageId } from './message-id';
import { profileFromWire, profileToWire, zProfileWire, type Profile } from './profile';
import { attachmentFromWire, attachmentToWire, zAttachmentWire, type AttachmentContent } from './attachment-content';
import {
  groupChangeFromWire,
  groupContentToWire,
  groupJoinRequestFromWire,
  zGroupChangeWire,
  zGroupJoinRequestWire,
  type GroupContent,
} from './group-content';
import { zGroupId, type GroupId } from '../groups/group-id';
export type { AttachmentContent } from './attachment-content';
export type { GroupChangeContent, GroupContent, GroupJoinRequestContent } from './group-content';

export const CONTENT_VERSION = 1;
export const CONTENT_KINDS = ['text', 'receipt', 'profile', 'attachment', 'group-change', 'group-join-request'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];
export const RECEIPT_KINDS = ['delivered', 'read'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

export interface TextContent {
  readonly kind: 'text';
  readonly id: MessageId;
  /** The conversation peer (for 1:1 the recipient account). */
  readonly to: AccountId;
  readonly body: string;
  readonly sentAt: number;
  /** Set for a group message: the group it belongs to (`to` is then ignored). */
  readonly groupId?: GroupId;
}

export interface ReceiptContent {
  readonly kind: 'receipt';
  /** The account the receipt is sent to (the original sender), so own-device copies find the conversation. */
  readonly to: AccountId;
  readonly receipt: ReceiptKind;
  readonly ids: readonly MessageId[];
}

export interface ProfileContent {
  readonly kind: 'profile';
  readonly profile: Profile;
}

export type MessageContent = TextContent | ReceiptContent | ProfileContent | AttachmentContent;
/** Everything a group-aware receiver handles; `MessageContent` stays the pre-group union so existing switches hold. */
export type AnyContent = MessageContent | GroupContent;

/** A well-formed content of a kind this version does not know: receivers may acknowledge and skip it. */
export class ContentError extends WardlineError<'UNKNOWN_KIND'> {}

const base = { v: z.literal(CONTENT_VERSION) };
const zText = z
  .object({ ...base, k: z.literal('text'), i: zMessageId, to: zAccountId, b: z.string().min(1).max(MESSAGE_TEXT_MAX_CHARS), t: z.number().int().nonnegative(), g: zGroupId.optional() })
  .strict();
const zReceipt = z
  .object({ ...base, k: z.literal('receipt'), to: zAccountId, r: z.enum(RECEIPT_KINDS), i: z.array(zMessageId).min(1).max(RECEIPT_MAX_IDS) })
  .strict();
const zProfile = z.object({ ...base, k: z.literal('profile'), ...zProfileWire.shape }).strict();
const zAttachment = z.object({ ...base, k: z.literal('attachment'), ...zAttachmentWire.shape }).strict();
const zGroupChange = z.object({ ...base, k: z.literal('group-change'), ...zGroupChangeWire.shape }).strict();
const zGroupJoinRequest = z.object({ ...base, k: z.literal('group-join-request'), ...zGroupJoinRequestWire.shape }).strict();
const zHead = z.object({ v: z.number().int(), k: z.string().max(32) }).loose();

/** Content the sender could not legally encode (empty or oversized body, too many ids) is refused before it leaves. */
function checked<T>(schema: z.ZodType<T>, wire: unknown): T {
  const parsed = schema.safeParse(wire);
  if (!parsed.success) throw new ProtocolError('MALFORMED', `message content: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function encodeContent(content: AnyContent): Uint8Array {
  let wire: unknown;
  switch (content.kind) {
    case 'text':
      wire = checked(zText, {
        v: CONTENT_VERSION,
        k: 'text',
        i: content.id,
        to: content.to,
        b: content.body,
        t: content.sentAt,
        ...(content.groupId === undefined ? {} : { g: content.groupId }),
      });
      break;
    case 'receipt':
      wire = checked(zReceipt, { v: CONTENT_VERSION, k: 'receipt', to: content.to, r: content.receipt, i: [...content.ids] });
      break;
    case 'profile':
      wire = checked(zProfile, { v: CONTENT_VERSION, k: 'profile', ...profileToWire(content.profile) });
      break;
    case 'attachment':
      wire = checked(zAttachment, { v: CONTENT_VERSION, k: 'attachment', ...attachmentToWire(content) });
      break;
    case 'group-change':
      wire = checked(zGroupChange, { v: CONTENT_VERSION, k: 'group-change', ...groupContentToWire(content) });
      break;
    case 'group-join-request':
      wire = checked(zGroupJoinRequest, { v: CONTENT_VERSION, k: 'group-join-request', ...groupContentToWire(content) });
      break;
    default:
      return unreachable(content);
  }
  return encodeCbor(wire);
}

/**
 * For receivers that do not handle groups: group kinds read as ContentError UNKNOWN_KIND, which
 * they already acknowledge and skip. Group-aware receivers call decodeAnyContent.
 */
export function decodeContent(bytes: Uint8Array): MessageContent {
  const content = decodeAnyContent(bytes);
  if (content.kind === 'group-change' || content.kind === 'group-join-request') throw new ContentError('UNKNOWN_KIND', 'group content');
  return content;
}

/** Throws ProtocolError MALFORMED / UNSUPPORTED_VERSION, or ContentError UNKNOWN_KIND. */
export function decodeAnyContent(bytes: Uint8Array): AnyContent {
  const head = decodeCbor(bytes, zHead, 'message content');
  if (head.v !== CONTENT_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `message content version ${head.v}`);
  const kind = head.k as ContentKind;
  if (!CONTENT_KINDS.includes(kind)) throw new ContentError('UNKNOWN_KIND', 'message content of an unknown kind');
  switch (kind) {
    case 'text': {
      const c = decodeCbor(bytes, zText, 'text content');
      const text: TextContent = { kind: 'text', id: c.i, to: c.to, body: c.b, sentAt: c.t };
      return c.g === undefined ? text : { ...text, groupId: c.g };
    }
    case 'receipt': {
      const c = decodeCbor(bytes, zReceipt, 'receipt content');
      return { kind: 'receipt', to: c.to, receipt: c.r, ids: c.i };
    }
    case 'profile': {
      const c = decodeCbor(bytes, zProfile, 'profile content');
      return { kind: 'profile', profile: profileFromWire({ n: c.n, p: c.p }) };
    }
    case 'attachment':
      return attachmentFromWire(decodeCbor(bytes, zAttachment, 'attachment content'));
    case 'group-change':
      return groupChangeFromWire(decodeCbor(bytes, zGroupChange, 'group change content'));
    case 'group-join-request':
      return groupJoinRequestFromWire(decodeCbor(bytes, zGroupJoinRequest, 'group join request content'));
    default:
      return unreachable(kind);
  }
}
