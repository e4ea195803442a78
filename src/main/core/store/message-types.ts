import { z } from 'zod';
import { MESSAGE_TEXT_MAX_CHARS } from '../../../shared/limits';

export const MESSAGE_STATES = ['sending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];
export type MessageDirection = 'in' | 'out';

const zId = z.string().min(1).max(128);

export const zNewMessage = z.object({
  id: zId,
  conversationId: zId,
  senderAccountId: zId,
  senderDeviceId: zId.nullable().default(null),
  direction: z.enum(['in', 'out']),
  body: z.string().max(MESSAGE_TEXT_MAX_CHARS),
  sentAt: z.number().int().nonnegative(),
  receivedAt: z.number().int().nonnegative().nullable().default(null),
  state: z.enum(MESSAGE_STATES),
});
export type NewMessage = z.input<typeof zNewMessage>;

export interface StoredMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly senderAccountId: string;
  readonly senderDeviceId: string | null;
  readonly direction: MessageDirection;
  readonly body: string;
  readonly sentAt: number;
  readonly receivedAt: number | null;
  readonly state: MessageState;
  readonly kept: boolean;
  readonly expiresAt: number;
  /** Ids of the attachments stored for this message (metadata via attachments.list). */
  readonly attachmentIds: readonly string[];
}

/** Where the next (older) page starts; opaque to callers, only handed back. */
export interface MessageCursor {
  readonly sentAt: number;
  readonly seq: number;
}

export interface MessagePage {
  /** Newest first. */
  readonly messages: readonly StoredMessage[];
  readonly older: MessageCursor | null;
}

export interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  sender_account_id: string;
  sender_device_id: string | null;
  direction: MessageDirection;
  body: string;
  sent_at: number;
  received_at: number | null;
  state: MessageState;
  kept: number;
  expires_at: number;
  attachment_ids: string | null;
}

export function messageFromRow(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderAccountId: row.sender_account_id,
    senderDeviceId: row.sender_device_id,
    direction: row.direction,
    body: row.body,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    state: row.state,
    kept: row.kept === 1,
    expiresAt: row.expires_at,
    attachmentIds: row.attachment_ids === null ? [] : row.attachment_ids.split(','),
  };
}
