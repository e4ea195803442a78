/**
 * Applies decrypted content to the account store. Own-device sync lives here: content whose
 * sender is our own account is a copy of something sent (or read) on another of our devices.
 */
import { unreachable } from '../../../shared/errors';
import type { AnyContent, AttachmentContent, GroupContent, MessageContent, ProfileContent, ReceiptContent, TextContent } from '../../../shared/messages/content';
import type { AccountId } from '../../../shared/protocol/ids';
import type { AccountStore } from '../store/account-store';
import type { ContentSink } from './incoming-envelopes';
import { fallbackName } from './message-view';

export interface AppliedEvents {
  /** A new message row (incoming, or a copy of one sent from another own device). */
  messageAdded(messageId: string): void;
  /** States of existing messages changed. */
  messagesUpdated(messageIds: readonly string[]): void;
  conversationsChanged(): void;
  /** An incoming text from another account was stored: send it a delivery receipt. */
  delivered(peer: AccountId, messageId: string): void;
  ownProfile(displayName: string, profession: string): void;
  /** A contact was created without a profile: look its signed profile up. */
  unknownProfile?(accountId: AccountId): void;
  /** An attachment message was stored (without its file yet): fetch the blob (src/main/core/media/). */
  attachmentAnnounced?(content: AttachmentContent): void;
  /** Group content (changes, join requests, texts and attachments with a group id): src/main/core/groups/. */
  groupContent?(content: AnyContent, from: { accountId: AccountId; deviceId: string }): void;
}

export class ContentApplier implements ContentSink {
  readonly #store: AccountStore;
  readonly #self: AccountId;
  readonly #events: AppliedEvents;
  readonly #identityKeyOf: (accountId: AccountId) => Uint8Array | undefined;

  constructor(store: AccountStore, self: AccountId, identityKeyOf: (accountId: AccountId) => Uint8Array | undefined, events: AppliedEvents) {
    this.#store = store;
    this.#self = self;
    this.#identityKeyOf = identityKeyOf;
    this.#events = events;
  }

  apply(content: MessageContent, from: { accountId: AccountId; deviceId: string }): void {
    // A group message never lands in a 1:1 conversation, whether or not groups are wired.
    if ((content.kind === 'text' || content.kind === 'attachment') && content.groupId !== undefined) {
      this.#events.groupContent?.(content, from);
      return;
    }
    switch (content.kind) {
      case 'text':
        return this.#text(content, from);
      case 'receipt':
        return this.#receipt(content, from.accountId);
      case 'profile':
        return this.#profile(content, from.accountId);
      case 'attachment':
        return this.#attachment(content, from);
      default:
        return unreachable(content);
    }
  }

  applyGroup(content: GroupContent, from: { accountId: AccountId; deviceId: string }): void {
    this.#events.groupContent?.(content, from);
  }

  /** Makes sure a contact row exists (the store needs its identity key) before its messages land. */
  ensureContact(accountId: AccountId, displayName?: string, profession?: string): void {
    if (accountId === this.#self) return;
    const existing = this.#store.contacts.get(accountId);
    const identityKey = this.#identityKeyOf(accountId) ?? existing?.identityKey;
    if (!identityKey) return;
    if (existing && displayName === undefined) return;
    this.#store.contacts.upsert({
      accountId,
      displayName: displayName || existing?.displayName || fallbackName(accountId),
      profession: profession ?? existing?.profession ?? null,
      organisation: existing?.organisation ?? null,
      identityKey: Uint8Array.from(identityKey),
    });
    if (!existing && !displayName) this.#events.unknownProfile?.(accountId);
  }

  #text(c: TextContent, from: { accountId: AccountId; deviceId: string }): void {
    this.#storeMessage(c, c.body, from);
  }

  /** Stored like a text (the caption is the body); the file arrives later through the blob store. */
  #attachment(c: AttachmentContent, from: { accountId: AccountId; deviceId: string }): void {
    if (this.#storeMessage(c, c.caption ?? '', from)) this.#events.attachmentAnnounced?.(c);
  }

  /** Stores a text or attachment message once; returns whether it was new. */
  #storeMessage(
    c: { id: string; to: AccountId; sentAt: number },
    body: string,
    from: { accountId: AccountId; deviceId: string },
  ): boolean {
    const own = from.accountId === this.#self;
    const peer = own ? c.to : from.accountId;
    // A copy of an own message must be for a conversation with someone else.
    if (own && peer === this.#self) return false;
    this.ensureContact(peer);
    const conversation = this.#store.conversations.ensureDirect(peer);
    const inserted = this.#store.messages.insert({
      id: c.id,
      conversationId: conversation.id,
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      direction: own ? 'out' : 'in',
      body,
      sentAt: c.sentAt,
      receivedAt: this.#store.clock.now(),
      state: own ? 'sent' : 'delivered',
    });
    if (!inserted) return false;
    this.#events.messageAdded(c.id);
    this.#events.conversationsChanged();
    if (!own) this.#events.delivered(peer, c.id);
    return true;
  }

  #receipt(c: ReceiptContent, sender: AccountId): void {
    const own = sender === this.#self;
    const changed: string[] = [];
    for (const id of c.ids) {
      const m = this.#store.messages.get(id);
      if (!m) continue;
      const conversation = this.#store.conversations.get(m.conversationId);
      if (own) {
        // Read on another of our devices: an incoming message in the conversation with c.to.
        if (c.receipt !== 'read' || m.direction !== 'in' || conversation?.peerAccountId !== c.to) continue;
      } else if (m.direction !== 'out' || conversation?.peerAccountId !== sender) {
        // Only the peer of the conversation may move our outgoing messages' states.
        continue;
      }
      if (this.#store.messages.updateState(id, c.receipt)) changed.push(id);
    }
    if (changed.length === 0) return;
    this.#events.messagesUpdated(changed);
    this.#events.conversationsChanged();
  }

  #profile(c: ProfileContent, sender: AccountId): void {
    if (sender === this.#self) {
      this.#events.ownProfile(c.profile.displayName, c.profile.profession);
      return;
    }
    this.ensureContact(sender, c.profile.displayName, c.profile.profession || undefined);
    this.#events.conversationsChanged();
  }
}
