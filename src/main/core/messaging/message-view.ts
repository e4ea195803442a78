/**
 * How stored rows are shown through the API: names resolved from contacts, the expiry hidden
 * while a message is kept, and a readable fallback title for a peer without a known profile.
 */
import type { ConversationSummary, DeviceNotice, Message, Verification } from '../../../shared/api';
import type { AccountStore } from '../store/account-store';
import type { ConversationSummary as StoredSummary } from '../store/conversations';
import type { StoredMessage } from '../store/message-types';
import { groupConversationFields } from '../groups/group-view';

export interface Self {
  readonly accountId: string;
  readonly displayName: string;
  /** Attestation-based badges (src/main/core/trust/); without it nobody shows as verified. */
  readonly verificationOf?: (accountId: string) => Verification;
  /** "<name> is using a new phone" lines (src/main/core/trust/device-notices.ts). */
  readonly deviceNoticesOf?: (conversationId: string) => DeviceNotice[];
}

const NO_VERIFICATION = { identity: false, registration: false } as const;

/** A short stand-in name for an account without a profile yet. */
export function fallbackName(accountId: string): string {
  return `Wardline ${accountId.slice(0, 8)}`;
}

export function nameOf(store: AccountStore, self: Self, accountId: string): string {
  if (accountId === self.accountId) return self.displayName;
  return store.contacts.get(accountId)?.displayName ?? fallbackName(accountId);
}

export function toApiMessage(store: AccountStore, self: Self, m: StoredMessage): Message {
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    senderAccountId: m.senderAccountId,
    senderName: nameOf(store, self, m.senderAccountId),
    body: m.body,
    sentAt: m.sentAt,
    state: m.state,
    kept: m.kept,
    ...(m.kept ? {} : { expiresAt: m.expiresAt }),
    // In a group the reader needs to see who is verified among many senders.
    ...(self.verificationOf && m.direction === 'in' && store.conversations.get(m.conversationId)?.kind === 'group'
      ? { senderVerification: self.verificationOf(m.senderAccountId) }
      : {}),
    attachments: m.attachmentIds.flatMap((id) => {
      const a = store.attachments.get(id);
      return a ? [{ id: a.id, kind: attachmentKind(a.mimeType), size: a.size }] : [];
    }),
  };
}

function attachmentKind(mimeType: string): 'image' | 'pdf' | 'file' {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType === 'application/pdf') return 'pdf';
  return 'file';
}

export function toApiConversation(store: AccountStore, self: Self, c: StoredSummary): ConversationSummary {
  const peer = c.peerAccountId ?? '';
  const contact = peer ? store.contacts.get(peer) : null;
  return {
    id: c.id,
    title: c.title ?? (peer ? nameOf(store, self, peer) : ''),
    peerAccountId: peer,
    verification: peer && self.verificationOf ? self.verificationOf(peer) : { ...NO_VERIFICATION, identity: contact?.verified ?? false },
    safetyNumberChanged: contact?.safetyNumberChanged ?? false,
    ...(peer && self.deviceNoticesOf ? { deviceNotices: self.deviceNoticesOf(c.id) } : {}),
    unread: c.unread,
    ...(c.lastMessage ? { lastMessage: { preview: c.lastMessage.preview, at: c.lastMessage.sentAt, direction: c.lastMessage.direction } } : {}),
    updatedAt: c.lastActivityAt,
    ...groupFields(store, self, c),
  };
}

function groupFields(store: AccountStore, self: Self, c: StoredSummary): Partial<ConversationSummary> {
  if (c.kind !== 'group') return {};
  const group = store.groups.byConversation(c.id);
  return group ? groupConversationFields(group, self.accountId) : {};
}
