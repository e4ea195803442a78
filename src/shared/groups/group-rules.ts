/**
 * The operations a group change carries and the role rules that decide who may make them.
 * Pure: given the state a change was made on and the actor, either the next content or a
 * GroupError. Creator and receivers run the same code, so a sender never signs what members refuse.
 *
 *   admin      rename, picture, discoverable, add anyone (any role), remove anyone else, set roles, leave
 *   moderator  add plain members (approving join requests), remove plain members, leave   (groups only)
 *   member     leave                                                                       (groups only)
 * The last admin may leave only by naming a successor, who becomes admin. Broadcast recipients
 * sign nothing: they mute a list locally and ask an admin to remove them.
 */
import { unreachable } from '../errors';
import type { AccountId } from '../protocol/ids';
import { GroupError } from './group-error';
import { findMember, type GroupContentFields, type GroupKind, type GroupMember, type GroupRole, type GroupState, withoutHash } from './group-state';

export type GroupOp =
  | {
      readonly op: 'create';
      readonly kind: GroupKind;
      readonly name: string;
      readonly picture?: Uint8Array;
      readonly discoverable: boolean;
      readonly description?: string;
      /** Must include the actor as admin. */
      readonly members: readonly GroupMember[];
    }
  | { readonly op: 'add'; readonly members: readonly GroupMember[] }
  | { readonly op: 'remove'; readonly accountIds: readonly AccountId[] }
  | { readonly op: 'leave'; readonly successor?: AccountId }
  | { readonly op: 'role'; readonly accountId: AccountId; readonly role: GroupRole }
  | { readonly op: 'rename'; readonly name: string }
  | { readonly op: 'picture'; readonly picture: Uint8Array | null }
  | { readonly op: 'discoverable'; readonly on: boolean; readonly description?: string }
  /** "The state is now the attached snapshot": admins only; catch-up and broadcast recipients' views. */
  | { readonly op: 'sync' };
export type GroupOpName = GroupOp['op'];

function notAllowed(what: string): never {
  throw new GroupError('NOT_ALLOWED', `group change: ${what}`);
}

function roleOf(fields: Pick<GroupContentFields, 'members'>, accountId: AccountId): GroupRole {
  const m = findMember(fields, accountId);
  if (!m) throw new GroupError('NOT_MEMBER', 'group change: actor is not a member');
  return m.role;
}

/** The content of a new group; the actor must be one of its admins. */
export function contentOfCreate(op: Extract<GroupOp, { op: 'create' }>, groupId: GroupContentFields['groupId'], actor: AccountId): GroupContentFields {
  const fields: GroupContentFields = {
    groupId,
    kind: op.kind,
    name: op.name,
    discoverable: op.discoverable,
    members: op.members,
    ...(op.picture === undefined ? {} : { picture: op.picture }),
    ...(op.description === undefined ? {} : { description: op.description }),
  };
  if (roleOf(fields, actor) !== 'admin') notAllowed('the creator must be an admin');
  return fields;
}

/** The content after `op` by `actor` on `prev`, or GroupError (NOT_MEMBER, NOT_ALLOWED, MALFORMED). */
export function contentAfter(prev: GroupState, op: Exclude<GroupOp, { op: 'create' | 'sync' }>, actor: AccountId): GroupContentFields {
  const role = roleOf(prev, actor);
  const fields = withoutHash(prev);
  const admin = role === 'admin';
  const staff = admin || role === 'moderator';
  switch (op.op) {
    case 'add': {
      if (!staff) notAllowed('only admins and moderators add members');
      if (op.members.length === 0) throw new GroupError('MALFORMED', 'group change: nobody to add');
      for (const m of op.members) {
        if (findMember(prev, m.accountId)) notAllowed('already a member');
        if (!admin && m.role !== 'member') notAllowed('moderators add plain members only');
      }
      return { ...fields, members: [...prev.members, ...op.members] };
    }
    case 'remove': {
      if (!staff) notAllowed('members may only leave');
      if (op.accountIds.length === 0) throw new GroupError('MALFORMED', 'group change: nobody to remove');
      const gone = new Set(op.accountIds);
      for (const id of gone) {
        if (id === actor) notAllowed('use leave to remove yourself');
        const target = findMember(prev, id);
        if (!target) throw new GroupError('NOT_MEMBER', 'group change: not a member');
        if (!admin && target.role !== 'member') notAllowed('moderators remove plain members only');
      }
      return { ...fields, members: prev.members.filter((m) => !gone.has(m.accountId)) };
    }
    case 'leave': {
      if (prev.kind === 'broadcast' && !admin) notAllowed('broadcast recipients mute the list instead');
      const otherAdmins = prev.members.some((m) => m.role === 'admin' && m.accountId !== actor);
      let members = prev.members.filter((m) => m.accountId !== actor);
      if (op.successor !== undefined) {
        if (!admin) notAllowed('only an admin names a successor');
        const successor = findMember(prev, op.successor);
        if (!successor || successor.accountId === actor) throw new GroupError('NOT_MEMBER', 'group change: successor is not a member');
        members = members.map((m) => (m.accountId === op.successor ? { ...m, role: 'admin' as const } : m));
      } else if (admin && !otherAdmins) {
        notAllowed('the last admin must name a successor');
      }
      return { ...fields, members };
    }
    case 'role': {
      if (!admin) notAllowed('only admins set roles');
      const target = findMember(prev, op.accountId);
      if (!target) throw new GroupError('NOT_MEMBER', 'group change: not a member');
      if (target.role === op.role) throw new GroupError('MALFORMED', 'group change: role unchanged');
      if (prev.kind === 'broadcast' && op.role === 'moderator') notAllowed('broadcast lists have no moderators');
      const members = prev.members.map((m) => (m.accountId === op.accountId ? { ...m, role: op.role } : m));
      if (!members.some((m) => m.role === 'admin')) notAllowed('a group keeps at least one admin');
      return { ...fields, members };
    }
    case 'rename':
      if (!admin) notAllowed('only admins rename');
      return { ...fields, name: op.name };
    case 'picture': {
      if (!admin) notAllowed('only admins change the picture');
      const { picture: _old, ...rest } = fields;
      return op.picture === null ? rest : { ...rest, picture: op.picture };
    }
    case 'discoverable': {
      if (!admin) notAllowed('only admins make a group discoverable');
      if (prev.kind === 'broadcast') notAllowed('broadcast lists are never discoverable');
      const { description: _old, ...rest } = fields;
      return op.description === undefined ? { ...rest, discoverable: op.on } : { ...rest, discoverable: op.on, description: op.description };
    }
    default:
      return unreachable(op);
  }
}
