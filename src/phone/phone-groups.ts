/**
 * The companion phone's groups and broadcast lists: create, add, remove, set roles, leave,
 * rename; send and receive group messages; search discoverable groups, ask to join, approve
 * (docs/trust-and-groups.md, "Groups"). Every state change goes through the shared rules
 * (src/shared/groups/), so the phone refuses exactly what the desktop refuses.
 *
 * Receiving: group changes are applied only if they verify against the state held; group text
 * and attachments from anyone the current state does not allow to post are dropped; join
 * requests are kept only where this account may approve them.
 */
import type { Clock } from '../shared/clock';
import { isWardlineError } from '../shared/errors';
import { applyGroupChange, peekGroupChange, type GroupActor } from '../shared/groups/group-change';
import { planGroupChange, type GroupChangeDelivery } from '../shared/groups/group-delivery';
import { GroupError } from '../shared/groups/group-error';
import type { GroupId } from '../shared/groups/group-id';
import type { GroupListing } from '../shared/groups/group-listing';
import type { GroupOp } from '../shared/groups/group-rules';
import { findMember, groupMember, mayPost, type GroupKind, type GroupRole, type GroupState } from '../shared/groups/group-state';
import type { AnyContent, AttachmentContent, GroupChangeContent, MessageContent, TextContent } from '../shared/messages/content';
import { newMessageId, type MessageId } from '../shared/messages/message-id';
import type { AccountId } from '../shared/protocol/ids';
import { publishGroupListing, requestToJoin, searchGroupListings } from './phone-group-directory';
import { sendToAccounts } from './phone-group-fan-out';
import type { MessagingContext } from './phone-messaging';
import { PhoneError } from './phone-error';
import { loadPhoneGroups, savePhoneGroups, type JoinRequest, type PhoneGroupsData } from './phone-groups-store';
export type { JoinRequest } from './phone-groups-store';

export type GroupEvent =
  | { readonly type: 'changed'; readonly groupId: GroupId; readonly state: GroupState; readonly actor: AccountId }
  | { readonly type: 'refused'; readonly groupId?: GroupId; readonly from: AccountId; readonly code: string }
  | { readonly type: 'join-request'; readonly request: JoinRequest }
  | { readonly type: 'message'; readonly groupId: GroupId; readonly from: AccountId; readonly content: TextContent | AttachmentContent }
  | { readonly type: 'dropped'; readonly groupId: GroupId; readonly from: AccountId; readonly reason: 'unknown-group' | 'not-allowed' };

export interface PhoneGroupsDeps {
  readonly actor: GroupActor & { readonly identityKey: Uint8Array };
  readonly clock: Clock;
  readonly dataDir?: string;
  readonly log: (event: string, fields?: Record<string, string | number | boolean>) => void;
  /** The messaging context of the open relay connection (throws CLOSED when there is none). */
  readonly messaging: () => MessagingContext;
}

export interface NewGroup {
  readonly kind: GroupKind;
  readonly name: string;
  readonly members: readonly AccountId[];
  readonly picture?: Uint8Array;
  readonly discoverable?: boolean;
  readonly description?: string;
}

/** Pending join requests kept (the oldest are forgotten), so nobody can fill the phone with requests. */
const JOIN_REQUESTS_MAX = 500;

function codeOf(error: unknown): string {
  return isWardlineError(error) ? error.code : 'INTERNAL';
}

export class PhoneGroups {
  readonly #d: PhoneGroupsDeps;
  readonly #data: PhoneGroupsData;
  readonly #listeners = new Set<(e: GroupEvent) => void>();

  constructor(deps: PhoneGroupsDeps) {
    this.#d = deps;
    this.#data = loadPhoneGroups(deps.dataDir);
  }

  get all(): readonly GroupState[] {
    return [...this.#data.groups.values()];
  }

  get(groupId: GroupId): GroupState | undefined {
    return this.#data.groups.get(groupId);
  }

  get joinRequests(): readonly JoinRequest[] {
    return this.#data.joinRequests;
  }

  onEvent(listener: (e: GroupEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  waitForEvent(predicate: (e: GroupEvent) => boolean, timeoutMs: number): Promise<GroupEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new PhoneError('TIMEOUT', 'no such group event in time'));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  async create(group: NewGroup): Promise<GroupState> {
    const self = this.#d.actor;
    const others = [];
    for (const accountId of new Set(group.members)) if (accountId !== self.accountId) others.push(groupMember(await this.#identityKey(accountId), 'member'));
    return this.#change(null, {
      op: 'create',
      kind: group.kind,
      name: group.name,
      discoverable: group.discoverable ?? false,
      members: [groupMember(self.identityKey, 'admin'), ...others],
      ...(group.picture ? { picture: group.picture } : {}),
      ...(group.description !== undefined ? { description: group.description } : {}),
    });
  }

  async add(groupId: GroupId, accountIds: readonly AccountId[], role: GroupRole = 'member'): Promise<GroupState> {
    const members = [];
    for (const accountId of new Set(accountIds)) members.push(groupMember(await this.#identityKey(accountId), role));
    return this.#change(this.#require(groupId), { op: 'add', members });
  }

  remove(groupId: GroupId, accountIds: readonly AccountId[]): Promise<GroupState> {
    return this.#change(this.#require(groupId), { op: 'remove', accountIds });
  }

  setRole(groupId: GroupId, accountId: AccountId, role: GroupRole): Promise<GroupState> {
    return this.#change(this.#require(groupId), { op: 'role', accountId, role });
  }

  leave(groupId: GroupId, successor?: AccountId): Promise<GroupState> {
    return this.#change(this.#require(groupId), successor ? { op: 'leave', successor } : { op: 'leave' });
  }

  rename(groupId: GroupId, name: string): Promise<GroupState> {
    return this.#change(this.#require(groupId), { op: 'rename', name });
  }

  /** Admins: re-sends the current state with its snapshot to every member, so those that missed changes catch up. */
  resync(groupId: GroupId): Promise<GroupState> {
    return this.#change(this.#require(groupId), { op: 'sync' });
  }

  setPicture(groupId: GroupId, picture: Uint8Array | null): Promise<GroupState> {
    return this.#change(this.#require(groupId), { op: 'picture', picture });
  }

  /** Makes the group discoverable (or not) and publishes (or withdraws) its listing at the relay. */
  async setDiscoverable(groupId: GroupId, on: boolean, description?: string): Promise<GroupState> {
    const state = await this.#change(this.#require(groupId), description === undefined ? { op: 'discoverable', on } : { op: 'discoverable', on, description });
    await this.publishListing(groupId);
    return state;
  }

  publishListing(groupId: GroupId): Promise<void> {
    return publishGroupListing(this.#d.messaging(), this.#d.actor, this.#require(groupId), this.#d.clock.now());
  }

  search(query: string): Promise<GroupListing[]> {
    return searchGroupListings(this.#d.messaging(), query, this.#d.log);
  }

  requestJoin(listing: GroupListing, note?: string): Promise<void> {
    return requestToJoin(this.#d.messaging(), this.#d.actor, listing, note);
  }

  /** Approving is a signed `add` by this (admin or moderator) account; the request is then forgotten. */
  async approveJoinRequest(groupId: GroupId, from: AccountId): Promise<GroupState> {
    const state = await this.add(groupId, [from]);
    this.#data.joinRequests = this.#data.joinRequests.filter((r) => !(r.groupId === groupId && r.from === from));
    this.#save();
    return state;
  }

  async sendText(groupId: GroupId, body: string): Promise<MessageId> {
    const state = this.#require(groupId);
    const self = this.#d.actor.accountId;
    if (!mayPost(state, self)) throw new GroupError('NOT_ALLOWED', 'not allowed to post in this group');
    const id = newMessageId();
    const content: TextContent = { kind: 'text', id, to: self, body, sentAt: this.#d.clock.now(), groupId };
    const others = state.members.map((m) => m.accountId).filter((a) => a !== self);
    const sent = await sendToAccounts(this.#d.messaging(), others, content, { ownCopies: true });
    if (sent.unreachable.length) this.#d.log('group-members-unreachable', { group: groupId, count: sent.unreachable.length });
    return id;
  }

  /**
   * Decrypted content from `from`: group content is handled here. Returns what still belongs in
   * the ordinary inbox (1:1 content and accepted group messages), or null.
   */
  receive(content: AnyContent, from: AccountId): MessageContent | null {
    switch (content.kind) {
      case 'group-change':
        this.#applyChange(content, from);
        return null;
      case 'group-join-request': {
        const state = this.get(content.groupId);
        const myRole = state ? findMember(state, this.#d.actor.accountId)?.role : undefined;
        if (!state || (myRole !== 'admin' && myRole !== 'moderator') || findMember(state, from)) {
          this.#d.log('group-join-request-ignored', { group: content.groupId });
          return null;
        }
        const request: JoinRequest = {
          groupId: content.groupId,
          from,
          receivedAt: this.#d.clock.now(),
          ...(content.note ? { note: content.note } : {}),
          ...(content.attestation ? { attestation: content.attestation } : {}),
        };
        this.#data.joinRequests = [...this.#data.joinRequests.filter((r) => !(r.groupId === request.groupId && r.from === from)), request].slice(-JOIN_REQUESTS_MAX);
        this.#save();
        this.#emit({ type: 'join-request', request });
        return null;
      }
      case 'text':
      case 'attachment': {
        if (content.groupId === undefined) return content;
        const state = this.get(content.groupId);
        if (!state || !mayPost(state, from)) {
          const reason = state ? 'not-allowed' : 'unknown-group';
          this.#d.log('group-message-dropped', { group: content.groupId, reason });
          this.#emit({ type: 'dropped', groupId: content.groupId, from, reason });
          return null;
        }
        this.#emit({ type: 'message', groupId: content.groupId, from, content });
        return content;
      }
      default:
        return content;
    }
  }

  #applyChange(content: GroupChangeContent, from: AccountId): void {
    let groupId: GroupId | undefined;
    try {
      const header = peekGroupChange(content.change);
      groupId = header.groupId;
      // A change is the actor's own word: whoever relays it, the actor must be the sender (or our own device).
      if (header.actor !== from && from !== this.#d.actor.accountId) throw new GroupError('NOT_ALLOWED', 'group change relayed by someone else');
      const messaging = this.#d.messaging();
      const state = applyGroupChange(this.get(header.groupId) ?? null, content.change, {
        now: this.#d.clock.now(),
        self: this.#d.actor.accountId,
        pinnedIdentityKey: (a) => messaging.directory.cached(a)?.identityKey,
        ...(content.snapshot ? { snapshot: content.snapshot } : {}),
      });
      this.#data.groups.set(state.groupId, state);
      this.#save();
      this.#d.log('group-changed', { group: state.groupId, version: state.version });
      this.#emit({ type: 'changed', groupId: state.groupId, state, actor: header.actor });
    } catch (e) {
      this.#d.log('group-change-refused', { code: codeOf(e), ...(groupId ? { group: groupId } : {}) });
      // Already applied (an admin's resync, a duplicate): nothing to tell anyone.
      if (codeOf(e) === 'STALE_VERSION') return;
      this.#emit({ type: 'refused', from, code: codeOf(e), ...(groupId ? { groupId } : {}) });
    }
  }

  async #change(prev: GroupState | null, op: GroupOp): Promise<GroupState> {
    const plan = planGroupChange(this.#d.actor, prev, op, this.#d.clock.now());
    this.#data.groups.set(plan.state.groupId, plan.state);
    this.#save();
    await this.#deliver(plan.encoded, plan.deliveries);
    this.#d.log('group-change-sent', { group: plan.state.groupId, version: plan.state.version, op: op.op });
    return plan.state;
  }

  /** Deliveries with the same content go out as one fan-out; own other devices get only the full change. */
  async #deliver(full: Uint8Array, deliveries: readonly GroupChangeDelivery[]): Promise<void> {
    const self = this.#d.actor.accountId;
    const buckets = new Map<string, { content: GroupChangeContent; accounts: AccountId[]; own: boolean }>();
    for (const d of deliveries) {
      const key = d.change === full ? (d.snapshot ? 'full+snapshot' : 'full') : `view:${d.to}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { content: { kind: 'group-change', change: d.change, ...(d.snapshot ? { snapshot: d.snapshot } : {}) }, accounts: [], own: false };
        buckets.set(key, bucket);
      }
      if (d.to === self) bucket.own = true;
      else bucket.accounts.push(d.to);
    }
    const ctx = this.#d.messaging();
    let unreachable = 0;
    for (const b of buckets.values()) {
      if (!b.accounts.length && !b.own) continue;
      unreachable += (await sendToAccounts(ctx, b.accounts, b.content, { ownCopies: b.own })).unreachable.length;
    }
    if (unreachable) this.#d.log('group-members-unreachable', { count: unreachable });
  }

  #require(groupId: GroupId): GroupState {
    const state = this.get(groupId);
    if (!state) throw new GroupError('NOT_MEMBER', 'unknown group');
    return state;
  }

  async #identityKey(accountId: AccountId): Promise<Uint8Array> {
    const ctx = this.#d.messaging();
    return (await ctx.directory.refresh(ctx.client, accountId)).identityKey;
  }

  #save(): void {
    savePhoneGroups(this.#d.dataDir, this.#data);
  }

  #emit(e: GroupEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }
}
