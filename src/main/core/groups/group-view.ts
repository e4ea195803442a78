/**
 * How stored groups are shown through the API: members with names and badges, our role, the
 * open join requests (only to moderators and admins), and the summary a group conversation
 * carries in the chat list.
 */
import type { ConversationSummary, GroupInfo, GroupJoinRequest, Verification } from '../../../shared/api';
import type { AccountId } from '../../../shared/protocol/ids';
import type { AccountStore } from '../store/account-store';
import type { StoredGroup, StoredJoinRequest } from '../store/groups';
import { nameOf, type Self } from '../messaging/message-view';
import { ownRole } from './group-records';

const NO_BADGES: Verification = { identity: false, registration: false };

function badgesOf(self: Self, accountId: string): Verification {
  return self.verificationOf ? self.verificationOf(accountId) : NO_BADGES;
}

export function toApiJoinRequest(store: AccountStore, self: Self, group: StoredGroup, r: StoredJoinRequest): GroupJoinRequest {
  return {
    groupId: r.groupId,
    groupName: group.name,
    accountId: r.accountId,
    displayName: nameOf(store, self, r.accountId),
    ...(r.note ? { note: r.note } : {}),
    verification: badgesOf(self, r.accountId),
    receivedAt: r.receivedAt,
  };
}

/** Join requests are for those who may answer them: moderators and admins. */
export function mayAnswerJoinRequests(group: StoredGroup, self: AccountId): boolean {
  const role = ownRole(group, self);
  return role === 'admin' || role === 'moderator';
}

export function toGroupInfo(store: AccountStore, self: Self & { readonly accountId: AccountId }, group: StoredGroup): GroupInfo {
  const role = ownRole(group, self.accountId);
  return {
    groupId: group.groupId,
    conversationId: group.conversationId,
    kind: group.kind,
    name: group.name,
    ...(group.description ? { description: group.description } : {}),
    discoverable: group.discoverable,
    version: group.version,
    myRole: role,
    members: group.members.map((m) => ({
      accountId: m.accountId,
      displayName: nameOf(store, self, m.accountId),
      role: m.role,
      verification: badgesOf(self, m.accountId),
      self: m.accountId === self.accountId,
    })),
    joinRequests: mayAnswerJoinRequests(group, self.accountId)
      ? store.groups.joinRequests(group.groupId).map((r) => toApiJoinRequest(store, self, group, r))
      : [],
  };
}

/** The group part of a conversation summary (src/main/core/messaging/message-view.ts calls this). */
export function groupConversationFields(group: StoredGroup, self: string): Pick<ConversationSummary, 'kind' | 'group'> {
  const role = ownRole(group, self as AccountId);
  return {
    kind: group.kind,
    group: {
      groupId: group.groupId,
      role,
      memberCount: group.members.length,
      // Recipients of a broadcast list read only; nobody posts after removal.
      readOnly: role === null || (group.kind === 'broadcast' && role !== 'admin'),
    },
  };
}
