/**
 * Incoming group content, after the session layer authenticated the sender account and device.
 * What a relay or a member cannot make this device show (docs/trust-and-groups.md):
 * - a membership change that applyGroupChange refuses (unsigned, signed by someone without the
 *   role, forked, stale): dropped, the stored state stays as it was, nothing is shown;
 * - a change creating a group we are not in: dropped;
 * - group text or attachments from a non-member, or from a non-admin in a broadcast list, or
 *   for a group we do not know or were removed from: dropped;
 * - a join request for a group where we are not a moderator or admin: dropped.
 */
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import { applyGroupChange, peekGroupChange } from '../../../shared/groups/group-change';
import { findMember, mayPost, type GroupState } from '../../../shared/groups/group-state';
import type { AnyContent, AttachmentContent, GroupChangeContent, GroupJoinRequestContent, TextContent } from '../../../shared/messages/content';
import { GROUP_MAX_MEMBERS } from '../../../shared/limits';
import type { AccountId } from '../../../shared/protocol/ids';
import type { CoreLogger } from '../logging';
import type { AccountStore } from '../store/account-store';
import type { StoredGroup } from '../store/groups';
import { fromStored, toStoredState } from './group-records';
import { mayAnswerJoinRequests } from './group-view';

export interface GroupInboxEvents {
  messageAdded(messageId: string): void;
  conversationsChanged(): void;
  groupChanged(groupId: string, conversationId: string): void;
  /** An attachment message was stored: fetch its file (src/main/core/media/). */
  attachmentAnnounced(content: AttachmentContent): void;
  /** Members we have no contact row for: fetch their device list, profile and badges in the background. */
  unknownAccounts(accountIds: readonly AccountId[]): void;
}

export interface GroupInboxDeps {
  readonly store: AccountStore;
  readonly self: AccountId;
  readonly clock: Clock;
  readonly log: CoreLogger;
  /** The identity key pinned for an account (a contact's), for the creator cross-check. */
  readonly pinnedIdentityKey: (accountId: AccountId) => Uint8Array | undefined;
  readonly events: GroupInboxEvents;
}

type From = { readonly accountId: AccountId; readonly deviceId: string };

export class GroupInbox {
  readonly #d: GroupInboxDeps;

  constructor(deps: GroupInboxDeps) {
    this.#d = deps;
  }

  /** Returns false for content that is not group content (the 1:1 path handles it). */
  apply(content: AnyContent, from: From): boolean {
    switch (content.kind) {
      case 'group-change':
        this.#change(content, from);
        return true;
      case 'group-join-request':
        this.#joinRequest(content, from);
        return true;
      case 'text':
      case 'attachment':
        if (content.groupId === undefined) return false;
        this.#message(content, from);
        return true;
      default:
        return false;
    }
  }

  #change(c: GroupChangeContent, from: From): void {
    const { store, log } = this.#d;
    let groupId: string;
    try {
      groupId = peekGroupChange(c.change).groupId;
    } catch (err) {
      log.warn({ from: from.accountId, code: codeOf(err) }, 'group change refused');
      return;
    }
    const stored = store.groups.get(groupId);
    const prev = stored ? fromStored(stored) : null;
    let next;
    try {
      next = applyGroupChange(prev, c.change, {
        now: this.#d.clock.now(),
        pinnedIdentityKey: (a) => (a === this.#d.self ? undefined : this.#d.pinnedIdentityKey(a)),
        ...(c.snapshot ? { snapshot: c.snapshot } : {}),
      });
    } catch (err) {
      log.warn({ groupId, from: from.accountId, code: codeOf(err) }, 'group change refused');
      return;
    }
    if (!this.#accept(next, stored)) {
      log.warn({ groupId, code: 'NOT_MEMBER' }, 'group change for a group we are not in dropped');
      return;
    }
    log.info({ groupId, version: next.version }, 'group change applied');
  }

  /**
   * The group states our own phone handed over at pairing (src/shared/messages/pairing-snapshot-groups.ts,
   * already decoded and re-checked there), stored exactly as an applied change would be. A state
   * not newer than the stored one (a re-pair onto an existing database) leaves the row alone; a
   * group we are not in gets no row. Returns how many groups were stored.
   */
  importSnapshot(states: readonly GroupState[], skipped: readonly string[]): number {
    const { store, log } = this.#d;
    for (const code of skipped) log.warn({ code }, 'snapshot group skipped');
    let imported = 0;
    for (const state of states) {
      const stored = store.groups.get(state.groupId);
      if (stored && stored.version >= state.version) continue;
      try {
        if (this.#accept(state, stored)) imported++;
        else log.warn({ groupId: state.groupId, code: 'NOT_MEMBER' }, 'snapshot group skipped');
      } catch (err) {
        log.warn({ groupId: state.groupId, code: codeOf(err) }, 'snapshot group skipped');
      }
    }
    if (imported > 0) log.info({ groups: imported }, 'snapshot groups stored');
    return imported;
  }

  /** Stores a verified state (false, nothing stored, for a group we were never in) and tells the session. */
  #accept(next: GroupState, stored: StoredGroup | null): boolean {
    const { store } = this.#d;
    const member = findMember(next, this.#d.self) !== undefined;
    // A group we were never in is nobody's business here: no row, no conversation.
    if (!stored && !member) return false;
    const saved = store.groups.save(toStoredState(next), { removed: !member });
    const unknown = next.members.filter((m) => m.accountId !== this.#d.self && !store.contacts.get(m.accountId)).map((m) => m.accountId);
    if (unknown.length > 0 && next.members.length <= GROUP_MAX_MEMBERS) this.#d.events.unknownAccounts(unknown);
    this.#d.events.groupChanged(saved.groupId, saved.conversationId);
    this.#d.events.conversationsChanged();
    return true;
  }

  #message(c: TextContent | AttachmentContent, from: From): void {
    const { store, log } = this.#d;
    const group = c.groupId === undefined ? null : store.groups.get(c.groupId);
    if (!group) {
      log.warn({ from: from.accountId, code: 'UNKNOWN_GROUP' }, 'group message dropped');
      return;
    }
    const own = from.accountId === this.#d.self;
    if (!own && !this.#mayPost(group, from.accountId)) {
      log.warn({ groupId: group.groupId, from: from.accountId, code: 'NOT_ALLOWED' }, 'group message dropped');
      return;
    }
    const inserted = store.messages.insert({
      id: c.id,
      conversationId: group.conversationId,
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      direction: own ? 'out' : 'in',
      body: c.kind === 'text' ? c.body : (c.caption ?? ''),
      sentAt: c.sentAt,
      receivedAt: store.clock.now(),
      state: own ? 'sent' : 'delivered',
    });
    if (!inserted) return;
    if (!own && !store.contacts.get(from.accountId)) this.#d.events.unknownAccounts([from.accountId]);
    this.#d.events.messageAdded(c.id);
    this.#d.events.conversationsChanged();
    if (c.kind === 'attachment') this.#d.events.attachmentAnnounced(c);
  }

  #mayPost(group: StoredGroup, sender: AccountId): boolean {
    // After our removal nobody writes into this thread any more, whatever they claim.
    return !group.removed && mayPost(fromStored(group), sender);
  }

  #joinRequest(c: GroupJoinRequestContent, from: From): void {
    const { store, log } = this.#d;
    const group = store.groups.get(c.groupId);
    if (!group || from.accountId === this.#d.self || !mayAnswerJoinRequests(group, this.#d.self) || !group.discoverable) {
      log.warn({ from: from.accountId, code: 'NOT_ALLOWED' }, 'join request dropped');
      return;
    }
    if (group.members.some((m) => m.accountId === from.accountId)) return;
    store.groups.addJoinRequest({ groupId: group.groupId, accountId: from.accountId, note: c.note ?? null });
    if (!store.contacts.get(from.accountId)) this.#d.events.unknownAccounts([from.accountId]);
    this.#d.events.groupChanged(group.groupId, group.conversationId);
  }
}

function codeOf(err: unknown): string {
  return isWardlineError(err) ? err.code : 'INTERNAL';
}
