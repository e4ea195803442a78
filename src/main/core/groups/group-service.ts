/**
 * Groups and broadcast lists on the desktop (docs/trust-and-groups.md). The desktop is a device of
 * the user's account: it signs changes with its own device key and certificate, exactly as the
 * phone does, and every member checks them. A change is planned by src/shared/groups/ (which also
 * decides who gets what, so broadcast recipients never learn each other), stored as the new
 * verified state, then delivered pairwise. Incoming group content is handled by GroupInbox.
 */
import type { GroupInfo, GroupRole } from '../../../shared/api';
import { bytesToHex } from '../../../shared/bytes';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import type { GroupActor, GroupOp } from '../../../shared/groups/group-change';
import { planGroupChange, type GroupChangeDelivery } from '../../../shared/groups/group-delivery';
import { findMember, groupMember, mayPost, type GroupMember, type GroupState } from '../../../shared/groups/group-state';
import { encodeContent, type AnyContent } from '../../../shared/messages/content';
import { newMessageId } from '../../../shared/messages/message-id';
import { BROADCAST_MAX_MEMBERS, GROUP_MAX_MEMBERS, MESSAGE_TEXT_MAX_CHARS } from '../../../shared/limits';
import type { AccountId } from '../../../shared/protocol/ids';
import type { Message } from '../../../shared/api';
import type { CoreLogger } from '../logging';
import { toApiMessage, type Self } from '../messaging/message-view';
import type { AccountStore } from '../store/account-store';
import type { StoredGroup } from '../store/groups';
import { fromGroupError, GroupCoreError } from './group-core-error';
import { fromStored, ownRole, toStoredState } from './group-records';
import type { GroupSender } from './group-sender';
import { toGroupInfo } from './group-view';

export interface GroupEvents {
  conversationsChanged(): void;
  messageAdded(message: Message): void;
  messageUpdated(message: Message): void;
  groupChanged(groupId: string, conversationId: string): void;
}

export interface GroupServiceDeps {
  readonly store: AccountStore;
  readonly clock: Clock;
  readonly log: CoreLogger;
  /** This desktop device as a group actor, with the account's identity key (group listings). */
  readonly actor: GroupActor & { readonly identityKey: Uint8Array };
  readonly self: () => Self & { readonly accountId: AccountId };
  readonly sender: GroupSender;
  /**
   * The identity key of an account about to be added: its verified device list, pinned as a
   * contact (which also brings its profile and badges). Throws when the account is unknown.
   */
  readonly identityKeyFor: (accountId: AccountId) => Promise<Uint8Array>;
  readonly relayOpen: () => boolean;
  readonly events: GroupEvents;
}

export class GroupService {
  readonly #d: GroupServiceDeps;

  constructor(deps: GroupServiceDeps) {
    this.#d = deps;
  }

  get #self(): AccountId {
    return this.#d.actor.accountId;
  }

  /** The stored group of a conversation, or null for a 1:1 chat. */
  byConversation(conversationId: string): StoredGroup | null {
    return this.#d.store.groups.byConversation(conversationId);
  }

  info(group: StoredGroup): GroupInfo {
    return toGroupInfo(this.#d.store, this.#d.self(), group);
  }

  require(groupId: string): StoredGroup {
    const group = this.#d.store.groups.get(groupId);
    if (!group) throw new GroupCoreError('NOT_FOUND', 'group');
    return group;
  }

  async create(kind: 'group' | 'broadcast', name: string, memberAccountIds: readonly string[]): Promise<StoredGroup> {
    const limit = kind === 'broadcast' ? BROADCAST_MAX_MEMBERS : GROUP_MAX_MEMBERS;
    const others = [...new Set(memberAccountIds)].filter((a) => a !== this.#self);
    if (others.length + 1 > limit) throw new GroupCoreError('GROUP_TOO_MANY_MEMBERS', 'create');
    this.#requireRelay();
    const members = [groupMember(this.#d.actor.identityKey, 'admin'), ...(await this.#newMembers(others))];
    return this.#change(null, { op: 'create', kind, name, discoverable: false, members });
  }

  async addMembers(groupId: string, accountIds: readonly string[]): Promise<StoredGroup> {
    const group = this.require(groupId);
    const prev = fromStored(group);
    const fresh = [...new Set(accountIds)].filter((a) => !findMember(prev, a as AccountId));
    if (fresh.length === 0) return group;
    this.#requireRelay();
    this.#requireRole(group, ['admin', 'moderator']);
    return this.#change(prev, { op: 'add', members: await this.#newMembers(fresh) });
  }

  removeMember(groupId: string, accountId: string): Promise<StoredGroup> {
    const prev = fromStored(this.require(groupId));
    if (!findMember(prev, accountId as AccountId)) throw new GroupCoreError('NOT_FOUND', 'member');
    if (accountId === this.#self) throw new GroupCoreError('INVALID_INPUT', 'use leave');
    return this.#change(prev, { op: 'remove', accountIds: [accountId as AccountId] });
  }

  setRole(groupId: string, accountId: string, role: GroupRole): Promise<StoredGroup> {
    const prev = fromStored(this.require(groupId));
    if (!findMember(prev, accountId as AccountId)) throw new GroupCoreError('NOT_FOUND', 'member');
    return this.#change(prev, { op: 'role', accountId: accountId as AccountId, role });
  }

  rename(groupId: string, name: string): Promise<StoredGroup> {
    return this.#change(fromStored(this.require(groupId)), { op: 'rename', name });
  }

  setPicture(groupId: string, picture: Uint8Array | null): Promise<StoredGroup> {
    return this.#change(fromStored(this.require(groupId)), { op: 'picture', picture });
  }

  async leave(groupId: string, successor?: string): Promise<void> {
    const group = this.require(groupId);
    if (ownRole(group, this.#self) === null) return;
    const prev = fromStored(group);
    if (successor !== undefined && !findMember(prev, successor as AccountId)) throw new GroupCoreError('NOT_FOUND', 'successor');
    await this.#change(prev, { op: 'leave', ...(successor === undefined ? {} : { successor: successor as AccountId }) });
  }

  setDiscoverable(groupId: string, on: boolean, description?: string): Promise<StoredGroup> {
    const op: GroupOp = { op: 'discoverable', on, ...(description ? { description } : {}) };
    return this.#change(fromStored(this.require(groupId)), op);
  }

  /** Throws GROUP_NOT_ALLOWED unless we may post into the group (a member; in a broadcast list, an admin). */
  requirePoster(group: StoredGroup): void {
    if (group.removed || !mayPost(fromStored(group), this.#self)) throw new GroupCoreError('GROUP_NOT_ALLOWED', 'post');
  }

  /**
   * Sends group content pairwise to every other member's devices and our own; true once it
   * reached someone (or, in a group of one, our own devices).
   */
  async sendGroupContent(group: StoredGroup, content: AnyContent): Promise<boolean> {
    this.requirePoster(group);
    const state = fromStored(group);
    const others = state.members.map((m) => m.accountId).filter((a) => a !== this.#self);
    const outcome = await this.#d.sender.send(others, encodeContent(content), { expectedKeys: keysOf(state), includeOwn: true });
    return outcome.reachedAccounts > 0 || (others.length === 0 && outcome.failed === 0);
  }

  /** Stores the message as 'sending', sends it pairwise to every member device and our own, then 'sent' or 'failed'. */
  async sendText(group: StoredGroup, text: string): Promise<Message> {
    const { store } = this.#d;
    if (text.length > MESSAGE_TEXT_MAX_CHARS) throw new GroupCoreError('INVALID_INPUT', 'text too long');
    this.requirePoster(group);
    const state = fromStored(group);
    const id = newMessageId();
    const sentAt = store.clock.now();
    store.messages.insert({ id, conversationId: group.conversationId, senderAccountId: this.#self, direction: 'out', body: text, sentAt, state: 'sending' });
    this.#d.events.conversationsChanged();
    let sent = false;
    try {
      sent = await this.sendGroupContent(group, { kind: 'text', id, to: this.#self, body: text, sentAt, groupId: state.groupId });
    } catch (err) {
      this.#d.log.warn({ messageId: id, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'group send failed');
    }
    store.messages.updateState(id, sent ? 'sent' : 'failed');
    const stored = store.messages.get(id);
    if (!stored) throw new GroupCoreError('INTERNAL', 'message vanished');
    return toApiMessage(store, this.#d.self(), stored);
  }

  /** Plans, stores and delivers one change; refused changes never leave this device. */
  async #change(prev: GroupState | null, op: GroupOp): Promise<StoredGroup> {
    this.#requireRelay();
    let plan: ReturnType<typeof planGroupChange>;
    try {
      plan = planGroupChange(this.#d.actor, prev, op, this.#d.clock.now());
    } catch (err) {
      throw fromGroupError(err);
    }
    const stillMember = findMember(plan.state, this.#self) !== undefined;
    const saved = this.#d.store.groups.save(toStoredState(plan.state), { removed: !stillMember });
    this.#d.log.info({ groupId: saved.groupId, version: saved.version, op: op.op }, 'group change made');
    this.#d.events.groupChanged(saved.groupId, saved.conversationId);
    this.#d.events.conversationsChanged();
    await this.#deliver(plan.deliveries, prev ?? plan.state, plan.state);
    return saved;
  }

  /**
   * Deliveries with the same bytes go out in one fan-out; our own other devices get exactly one
   * copy (the delivery addressed to our account).
   */
  async #deliver(deliveries: readonly GroupChangeDelivery[], prev: GroupState, next: GroupState): Promise<void> {
    const batches = new Map<string, { accounts: AccountId[]; delivery: GroupChangeDelivery }>();
    for (const d of deliveries) {
      const key = `${d.to === this.#self ? 'own' : 'peer'}:${bytesToHex(d.change)}:${d.snapshot ? bytesToHex(d.snapshot) : ''}`;
      const batch = batches.get(key) ?? { accounts: [], delivery: d };
      batch.accounts.push(d.to);
      batches.set(key, batch);
    }
    const expectedKeys = new Map([...keysOf(prev), ...keysOf(next)]);
    for (const { accounts, delivery } of batches.values()) {
      const own = delivery.to === this.#self;
      const content: AnyContent = { kind: 'group-change', change: delivery.change, ...(delivery.snapshot ? { snapshot: delivery.snapshot } : {}) };
      try {
        const outcome = await this.#d.sender.send(own ? [] : accounts, encodeContent(content), { expectedKeys, includeOwn: own });
        if (outcome.failed > 0) this.#d.log.warn({ groupId: next.groupId, failed: outcome.failed }, 'group change not delivered everywhere');
      } catch (err) {
        this.#d.log.warn({ groupId: next.groupId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'group change delivery failed');
      }
    }
  }

  async #newMembers(accountIds: readonly string[]): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    for (const accountId of accountIds) {
      let identityKey: Uint8Array;
      try {
        identityKey = await this.#d.identityKeyFor(accountId as AccountId);
      } catch (err) {
        if (isWardlineError(err) && err.code === 'SAFETY_NUMBER_CHANGED') throw err;
        throw new GroupCoreError('NOT_FOUND', 'account', { cause: err });
      }
      const member = groupMember(identityKey, 'member');
      // The key must be the account's: the id is derived from it.
      if (member.accountId !== accountId) throw new GroupCoreError('NOT_FOUND', 'account key mismatch');
      members.push(member);
    }
    return members;
  }

  #requireRole(group: StoredGroup, roles: readonly GroupRole[]): void {
    const role = ownRole(group, this.#self);
    if (role === null || !roles.includes(role)) throw new GroupCoreError('GROUP_NOT_ALLOWED', 'role');
  }

  #requireRelay(): void {
    if (!this.#d.relayOpen()) throw new GroupCoreError('RELAY_UNAVAILABLE', 'relay not connected');
  }
}

/** Identity keys the verified group state vouches for: device lists must be signed by these. */
export function keysOf(state: GroupState): Map<AccountId, Uint8Array> {
  return new Map(state.members.map((m) => [m.accountId, m.identityKey]));
}
