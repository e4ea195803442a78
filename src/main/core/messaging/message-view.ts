/**
 * How stored rows are shown through the API: names resolved from contacts, the expiry hidden
 * while a message is kept, and a readable fallback title for a peer without a known profile.
 */
import type { ConversationSummary, Message, Verification } from '../../../shared/api';
import type { AccountStore } from '../store/account-store';
import type { ConversationSummary as StoredSummary } from '../store/conversations';
import type { StoredMessage } from '../store/message-types';

export interface Self {
  readonly accountId: string;
  readonly displayName: string;
  /** Attestation-based badges (src/main/core/trust/); without it nobody shows as verified. */
  readonly verificationOf?: (accountId: string) => Verification;
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
    unread: c.unread,
    ...(c.lastMessage ? { lastMessage: { preview: c.lastMessage.preview, at: c.lastMessage.sentAt, direction: c.lastMessage.direction } } : {}),
    updatedAt: c.lastActivityAt,
  };
}
