/**
 * Groups for one paired account: the actions (GroupService), the discoverable-group directory
 * (GroupDirectory) and incoming group content (GroupInbox), over the session's ratchet sessions
 * and verified device lists. AccountSession creates one; the API handlers call it.
 */
import type { GroupInfo, GroupJoinRequest, GroupRole, Message } from '../../../shared/api';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import type { GroupActor } from '../../../shared/groups/group-change';
import type { GroupId } from '../../../shared/groups/group-id';
import type { GroupState } from '../../../shared/groups/group-state';
import type { AnyContent, AttachmentContent } from '../../../shared/messages/content';
import type { AccountId } from '../../../shared/protocol/ids';
import type { SessionCipher } from '../../../shared/protocol/session-cipher';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { CoreLogger } from '../logging';
import type { DeviceDirectory } from '../messaging/device-directory';
import type { Self } from '../messaging/message-view';
import type { AccountStore } from '../store/account-store';
import type { StoredGroup } from '../store/groups';
import { GroupCoreError } from './group-core-error';
import { GroupDirectory, type GroupListingRelay } from './group-directory';
import { GroupInbox } from './group-inbox';
import { GroupSender } from './group-sender';
import { GroupService, type GroupEvents } from './group-service';
import { mayAnswerJoinRequests, toApiJoinRequest } from './group-view';

export interface DesktopGroupsDeps {
  readonly store: AccountStore;
  readonly clock: Clock;
  readonly log: CoreLogger;
  readonly actor: GroupActor & { readonly identityKey: Uint8Array };
  readonly self: () => Self & { readonly accountId: AccountId };
  readonly cipher: SessionCipher;
  readonly directory: DeviceDirectory;
  readonly relay: () => RelayClient | null;
  /** Group listing frames of the relay client (src/shared/wire/), adapted by the session. */
  readonly listingRelay: () => GroupListingRelay | null;
  /** Fetches an account's verified device list and badges and makes it a contact; returns its pinned key. */
  readonly identityKeyFor: (accountId: AccountId) => Promise<Uint8Array>;
  readonly events: GroupEvents & {
    /** A stored message row, by id, as the API shows it. */
    readonly view: (messageId: string) => Message | null;
    readonly attachmentAnnounced: (content: AttachmentContent) => void;
  };
}

export class DesktopGroups {
  readonly service: GroupService;
  readonly listings: GroupDirectory;
  readonly inbox: GroupInbox;
  readonly #d: DesktopGroupsDeps;

  constructor(deps: DesktopGroupsDeps) {
    this.#d = deps;
    const { store, clock, log, actor, events } = deps;
    const sender = new GroupSender({ cipher: deps.cipher, relay: deps.relay, directory: deps.directory, ownAccountId: actor.accountId, log });
    this.service = new GroupService({
      store,
      clock,
      log,
      actor,
      self: deps.self,
      sender,
      identityKeyFor: deps.identityKeyFor,
      relayOpen: () => deps.relay()?.isOpen ?? false,
      events,
    });
    this.listings = new GroupDirectory({ store, clock, log, actor, relay: deps.listingRelay, sender, identityKeyFor: deps.identityKeyFor });
    this.inbox = new GroupInbox({
      store,
      self: actor.accountId,
      clock,
      log,
      pinnedIdentityKey: (a) => store.contacts.get(a)?.identityKey,
      events: {
        messageAdded: (id) => {
          const m = events.view(id);
          if (m) events.messageAdded(m);
        },
        conversationsChanged: () => events.conversationsChanged(),
        groupChanged: (groupId, conversationId) => events.groupChanged(groupId, conversationId),
        attachmentAnnounced: (c) => events.attachmentAnnounced(c),
        unknownAccounts: (ids) => void this.#learn(ids),
      },
    });
  }

  /** The group states of the pairing snapshot (GroupInbox.importSnapshot); returns how many were stored. */
  importSnapshot(states: readonly GroupState[], skipped: readonly string[]): number {
    return this.inbox.importSnapshot(states, skipped);
  }

  /** Incoming content; false when it is not group content. */
  receive(content: AnyContent, from: { accountId: AccountId; deviceId: string }): boolean {
    return this.inbox.apply(content, from);
  }

  info(conversationId: string): GroupInfo {
    const group = this.#d.store.groups.byConversation(conversationId);
    if (!group) throw new GroupCoreError('NOT_FOUND', 'group');
    return this.service.info(group);
  }

  infoById(groupId: string): GroupInfo {
    return this.service.info(this.service.require(groupId));
  }

  async setRole(groupId: string, accountId: string, role: GroupRole): Promise<GroupInfo> {
    return this.service.info(await this.service.setRole(groupId, accountId, role));
  }

  /** Turning discoverability on or off also (re)publishes or withdraws the relay listing. */
  async setDiscoverable(groupId: string, on: boolean, description?: string): Promise<GroupInfo> {
    const group = await this.service.setDiscoverable(groupId, on, description);
    await this.listings.publish(group);
    return this.service.info(group);
  }

  async answerJoinRequest(groupId: string, accountId: string, approve: boolean): Promise<GroupInfo> {
    const { store } = this.#d;
    const group = this.service.require(groupId);
    if (!mayAnswerJoinRequests(group, this.#d.actor.accountId)) throw new GroupCoreError('GROUP_NOT_ALLOWED', 'answer');
    if (!store.groups.joinRequests(groupId).some((r) => r.accountId === accountId)) throw new GroupCoreError('NOT_FOUND', 'join request');
    let result: StoredGroup = group;
    if (approve) result = await this.service.addMembers(groupId, [accountId]);
    store.groups.removeJoinRequest(groupId, accountId);
    this.#d.events.groupChanged(result.groupId, result.conversationId);
    return this.service.info(this.service.require(groupId));
  }

  /**
   * How an attachment pointer goes to a group conversation (AttachmentService), or null for a 1:1
   * chat. Throws GROUP_NOT_ALLOWED up front where we may not post (broadcast recipient, removed).
   */
  attachmentRoute(conversationId: string): ((content: AttachmentContent) => Promise<boolean>) | null {
    const group = this.#d.store.groups.byConversation(conversationId);
    if (!group) return null;
    this.service.requirePoster(group);
    return (content) => this.service.sendGroupContent(group, { ...content, to: this.#d.actor.accountId, groupId: group.groupId as GroupId });
  }

  /** Marks a group thread read here only (no read receipts go to a whole group); false for a 1:1 chat. */
  markRead(conversationId: string): boolean {
    if (!this.#d.store.groups.byConversation(conversationId)) return false;
    if (this.#d.store.messages.markConversationRead(conversationId).length > 0) this.#d.events.conversationsChanged();
    return true;
  }

  joinRequests(): GroupJoinRequest[] {
    const { store } = this.#d;
    const self = this.#d.self();
    return store.groups
      .list()
      .filter((g) => mayAnswerJoinRequests(g, self.accountId))
      .flatMap((g) => store.groups.joinRequests(g.groupId).map((r) => toApiJoinRequest(store, self, g, r)));
  }

  /** Names and badges of members we have not met: one at a time, in the background. */
  async #learn(accountIds: readonly AccountId[]): Promise<void> {
    for (const accountId of accountIds) {
      try {
        await this.#d.identityKeyFor(accountId);
      } catch (err) {
        this.#d.log.info({ accountId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'group member not looked up');
      }
    }
    this.#d.events.conversationsChanged();
  }
}
