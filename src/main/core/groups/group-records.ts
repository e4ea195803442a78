/**
 * The verified group state (src/shared/groups/) to and from its rows in the encrypted store. The
 * store keeps exactly what applyGroupChange returned, hash included, so the next change is
 * checked against the state this device accepted and nothing else.
 */
import type { GroupId } from '../../../shared/groups/group-id';
import type { GroupState } from '../../../shared/groups/group-state';
import type { AccountId } from '../../../shared/protocol/ids';
import type { StoredGroup, StoredGroupState } from '../store/groups';

export function toStoredState(state: GroupState): StoredGroupState {
  return {
    groupId: state.groupId,
    kind: state.kind,
    version: state.version,
    name: state.name,
    description: state.description ?? null,
    picture: state.picture ?? null,
    discoverable: state.discoverable,
    hash: state.hash,
    members: state.members.map((m) => ({ accountId: m.accountId, identityKey: m.identityKey, role: m.role })),
  };
}

export function fromStored(group: StoredGroup): GroupState {
  return {
    groupId: group.groupId as GroupId,
    kind: group.kind,
    version: group.version,
    name: group.name,
    ...(group.picture ? { picture: group.picture } : {}),
    discoverable: group.discoverable,
    ...(group.description !== null ? { description: group.description } : {}),
    members: group.members.map((m) => ({ accountId: m.accountId as AccountId, identityKey: m.identityKey, role: m.role })),
    hash: group.hash,
  };
}

/** Our role in a stored group, or null once we were removed (or left). */
export function ownRole(group: StoredGroup, self: AccountId): GroupState['members'][number]['role'] | null {
  if (group.removed) return null;
  return group.members.find((m) => m.accountId === self)?.role ?? null;
}
