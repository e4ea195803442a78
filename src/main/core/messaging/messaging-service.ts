/**
 * Messaging for one paired account: send text, read receipts, incoming envelopes, and the
 * pairing snapshot import. Everything a user sees goes through the encrypted store first.
 */
import type { Message } from '../../../shared/api';
import { isWardlineError } from '../../../shared/errors';
import { encodeContent, type AnyContent, type AttachmentContent, type MessageContent } from '../../../shared/messages/content';
import { newMessageId, type MessageId } from '../../../shared/messages/message-id';
import type { PairingSnapshot } from '../../../shared/messages/pairing-snapshot';
import { PROFILE_ATTESTATION_NAME, verifyProfileAttestation } from '../../../shared/messages/profile';
import { MESSAGE_TEXT_MAX_CHARS, RECEIPT_MAX_IDS } from '../../../shared/limits';
import type { AccountId, EnvelopeId } from '../../../shared/protocol/ids';
import type { SessionCipher } from '../../../shared/protocol/session-cipher';
import type { RelayClient } from '../../../shared/wire/relay-client';
import { CoreError } from '../core-error';
import type { CoreLogger } from '../logging';
import type { AccountStore } from '../store/account-store';
import { requireAcknowledgedSafetyNumber } from '../trust/safety-number-guard';
import { ContentApplier, type AppliedEvents } from './content-applier';
import { ContentSender } from './content-sender';
import type { DeviceDirectory } from './device-directory';
import { IncomingEnvelopes } from './incoming-envelopes';
import { toApiMessage, type Self } from './message-view';

export interface MessagingEvents {
  messageAdded(message: Message): void;
  messageUpdated(message: Message): void;
  conversationsChanged(): void;
  ownProfile(displayName: string, profession: string): void;
}

export interface MessagingDeps {
  readonly store: AccountStore;
  readonly cipher: SessionCipher;
  readonly directory: DeviceDirectory;
  readonly relay: () => RelayClient | null;
  readonly self: () => Self & { readonly accountId: AccountId };
  readonly log: CoreLogger;
  readonly events: MessagingEvents;
  /** An attachment message was stored; its file is fetched by src/main/core/media/. */
  readonly attachmentAnnounced?: (content: AttachmentContent) => void;
  /** Group content goes to src/main/core/groups/. */
  readonly groupContent?: (content: AnyContent, from: { accountId: AccountId; deviceId: string }) => void;
}

export class MessagingService {
  readonly #d: MessagingDeps;
  readonly #sender: ContentSender;
  readonly #applier: ContentApplier;
  readonly #incoming: IncomingEnvelopes;
  readonly #directory: DeviceDirectory;

  constructor(deps: MessagingDeps) {
    this.#d = deps;
    const ownAccountId = deps.self().accountId;
    this.#directory = deps.directory;
    this.#sender = new ContentSender({ cipher: deps.cipher, relay: deps.relay, directory: deps.directory, ownAccountId, log: deps.log });
    const applied: AppliedEvents = {
      messageAdded: (id) => this.#emitMessage('added', id),
      messagesUpdated: (ids) => ids.forEach((id) => this.#emitMessage('updated', id)),
      conversationsChanged: () => deps.events.conversationsChanged(),
      delivered: (peer, id) => this.#sendReceipt(peer, 'delivered', [id as MessageId]),
      ownProfile: (name, profession) => deps.events.ownProfile(name, profession),
      attachmentAnnounced: (content) => deps.attachmentAnnounced?.(content),
      groupContent: (content, from) => deps.groupContent?.(content, from),
      unknownProfile: (accountId) => {
        this.#lookUpProfile(accountId).catch((err: unknown) =>
          deps.log.info({ accountId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'profile lookup failed'),
        );
      },
    };
    this.#applier = new ContentApplier(deps.store, ownAccountId, (a) => deps.directory.cached(a)?.identityKey, applied);
    this.#incoming = new IncomingEnvelopes({
      cipher: deps.cipher,
      directory: deps.directory,
      sink: this.#applier,
      ack: (id: EnvelopeId) => deps.relay()?.ack(id),
      log: deps.log,
    });
  }

  receive(id: EnvelopeId, bytes: Uint8Array): Promise<void> {
    return this.#incoming.receive(id, bytes);
  }

  stop(): void {
    this.#incoming.stop();
  }

  idle(): Promise<void> {
    return this.#incoming.idle();
  }

  /** Fetches and verifies the account's device list and makes sure it is a contact. */
  async knowAccount(accountId: AccountId): Promise<void> {
    await this.#directory.get(accountId, { refresh: true });
    this.#applier.ensureContact(accountId);
  }

  /** The account's profile as it signed it (relay attestation), checked against its identity key. */
  async #lookUpProfile(accountId: AccountId): Promise<void> {
    const relay = this.#d.relay();
    const identityKey = this.#directory.cached(accountId)?.identityKey;
    if (!relay || !identityKey) return;
    const blob = (await relay.getAttestations(accountId)).find((a) => a.name === PROFILE_ATTESTATION_NAME)?.blob;
    if (!blob) return;
    const profile = verifyProfileAttestation(blob, identityKey);
    this.#applier.ensureContact(accountId, profile.displayName, profile.profession || undefined);
    this.#d.events.conversationsChanged();
  }

  /** The API view of a stored message, or null. */
  view(messageId: string): Message | null {
    const stored = this.#d.store.messages.get(messageId);
    return stored ? toApiMessage(this.#d.store, this.#d.self(), stored) : null;
  }

  /** Stores the message as 'sending', fans it out, and moves it to 'sent' or 'failed'. */
  async sendText(conversationId: string, text: string): Promise<Message> {
    const { store } = this.#d;
    const conversation = store.conversations.get(conversationId);
    if (!conversation?.peerAccountId) throw new CoreError('NOT_FOUND', 'conversation');
    if (text.length > MESSAGE_TEXT_MAX_CHARS) throw new CoreError('INVALID_INPUT', 'text too long');
    requireAcknowledgedSafetyNumber(store.contacts, conversation.peerAccountId);
    const self = this.#d.self();
    const peer = conversation.peerAccountId as AccountId;
    const id = newMessageId();
    const sentAt = store.clock.now();
    store.messages.insert({ id, conversationId, senderAccountId: self.accountId, direction: 'out', body: text, sentAt, state: 'sending' });
    this.#d.events.conversationsChanged();
    let state: 'sent' | 'failed' = 'failed';
    try {
      const outcome = await this.#sender.send(peer, encodeContent({ kind: 'text', id, to: peer, body: text, sentAt }));
      if (outcome.peerDevices > 0) state = 'sent';
    } catch (err) {
      this.#d.log.warn({ messageId: id, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'send failed');
    }
    store.messages.updateState(id, state);
    const stored = store.messages.get(id);
    if (!stored) throw new CoreError('INTERNAL', 'message vanished');
    return toApiMessage(store, self, stored);
  }

  /** Marks the conversation read here and tells the peer and our other devices. */
  markRead(conversationId: string): void {
    const { store } = this.#d;
    const conversation = store.conversations.get(conversationId);
    if (!conversation?.peerAccountId) throw new CoreError('NOT_FOUND', 'conversation');
    const ids = store.messages.markConversationRead(conversationId) as MessageId[];
    if (ids.length === 0) return;
    this.#d.events.conversationsChanged();
    this.#sendReceipt(conversation.peerAccountId as AccountId, 'read', ids);
  }

  /** The phone's bounded history, so the desktop does not start empty. Idempotent on message ids. */
  importSnapshot(snapshot: PairingSnapshot): number {
    const { store } = this.#d;
    const self = this.#d.self().accountId;
    for (const c of snapshot.contacts) this.#applier.ensureContact(c.accountId, c.profile.displayName, c.profile.profession || undefined);
    let imported = 0;
    const importAll = store.db.transaction(() => {
      for (const m of snapshot.messages) {
        if (m.conversation === self || (m.from !== self && m.from !== m.conversation)) continue;
        this.#applier.ensureContact(m.conversation);
        const conversation = store.conversations.ensureDirect(m.conversation);
        const out = m.from === self;
        if (store.messages.insert({ id: m.id, conversationId: conversation.id, senderAccountId: m.from, direction: out ? 'out' : 'in', body: m.body, sentAt: m.sentAt, state: out ? 'sent' : 'read' })) imported++;
      }
    });
    importAll();
    if (imported > 0) this.#d.events.conversationsChanged();
    return imported;
  }

  #sendReceipt(peer: AccountId, receipt: 'delivered' | 'read', ids: readonly MessageId[]): void {
    const send = async () => {
      for (let i = 0; i < ids.length; i += RECEIPT_MAX_IDS) {
        const content: MessageContent = { kind: 'receipt', to: peer, receipt, ids: ids.slice(i, i + RECEIPT_MAX_IDS) };
        await this.#sender.send(peer, encodeContent(content));
      }
    };
    send().catch((err: unknown) => this.#d.log.warn({ receipt, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'receipt not sent'));
  }

  #emitMessage(kind: 'added' | 'updated', id: string): void {
    const message = this.view(id);
    if (!message) return;
    if (kind === 'added') this.#d.events.messageAdded(message);
    else this.#d.events.messageUpdated(message);
  }
}
