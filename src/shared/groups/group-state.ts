/**
 * A group's state as every member holds it, and its canonical form.
 *
 * The hash names the *content* (kind, name, picture, discoverability, members) and deliberately
 * not the version: a change refers to the state it was made on by this hash, so a broadcast
 * recipient whose view (admins + itself) did not change while other recipients came and went
 * still matches the next change meant for it. Versions are carried and checked by the signed
 * changes themselves (docs/trust-and-groups.md, "Groups").
 *
 *   content:  { v: 1, g, k: kind, na: name, pi?: picture, di: discoverable, de?: description,
 *               m: [[identityKey, role], ...] sorted by account id }
 *   hash:     SHA-256("wardline/group-state/v1" || 0x00 || CBOR(content))
 *   snapshot: CBOR(content + { n: version })
 *
 * Members travel as identity keys only; the account id is always derived from the key, so a
 * state can never pair an account id with somebody else's key.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { concatBytes, utf8ToBytes } from '../bytes';
import { isWardlineError } from '../errors';
import { BROADCAST_MAX_MEMBERS, GROUP_DESCRIPTION_MAX_CHARS, GROUP_MAX_MEMBERS, GROUP_NAME_MAX_CHARS, GROUP_PICTURE_MAX_BYTES } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { accountIdFromIdentityKey, type AccountId } from '../protocol/ids';
import { GroupError } from './group-error';
import { zGroupId, type GroupId } from './group-id';

export const GROUP_KINDS = ['group', 'broadcast'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export const GROUP_ROLES = ['admin', 'moderator', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

export interface GroupMember {
  readonly accountId: AccountId;
  readonly identityKey: Uint8Array;
  readonly role: GroupRole;
}

export interface GroupState {
  readonly groupId: GroupId;
  readonly kind: GroupKind;
  /** 1 at creation; every accepted change raises it. */
  readonly version: number;
  readonly name: string;
  readonly picture?: Uint8Array;
  readonly discoverable: boolean;
  readonly description?: string;
  /** Sorted by account id. */
  readonly members: readonly GroupMember[];
  readonly hash: Uint8Array;
}

/** Everything of a state but its version and hash. */
export type GroupContentFields = Omit<GroupState, 'version' | 'hash'>;

export const zGroupName = z.string().trim().min(1).max(GROUP_NAME_MAX_CHARS);
export const zGroupDescription = z.string().max(GROUP_DESCRIPTION_MAX_CHARS);
export const zGroupPicture = zBytes().refine((b) => b.length > 0 && b.length <= GROUP_PICTURE_MAX_BYTES, { message: 'picture size out of range' });
export const zMemberWire = z.tuple([zBytes(32), z.enum(GROUP_ROLES)]);

const zContentFields = {
  v: z.literal(1),
  g: zGroupId,
  k: z.enum(GROUP_KINDS),
  na: zGroupName,
  pi: zGroupPicture.optional(),
  di: z.boolean(),
  de: zGroupDescription.optional(),
  m: z.array(zMemberWire).max(BROADCAST_MAX_MEMBERS),
};
const zSnapshot = z.object({ ...zContentFields, n: z.number().int().positive() }).strict();

export function groupMember(identityKey: Uint8Array, role: GroupRole): GroupMember {
  return { accountId: accountIdFromIdentityKey(identityKey), identityKey, role };
}

export function findMember(state: Pick<GroupState, 'members'>, accountId: AccountId): GroupMember | undefined {
  return state.members.find((m) => m.accountId === accountId);
}

/** May `accountId` post content into the group? Groups: any member. Broadcast lists: admins only. */
export function mayPost(state: GroupState, accountId: AccountId): boolean {
  const member = findMember(state, accountId);
  if (!member) return false;
  return state.kind === 'group' || member.role === 'admin';
}

export function maxMembers(kind: GroupKind): number {
  return kind === 'group' ? GROUP_MAX_MEMBERS : BROADCAST_MAX_MEMBERS;
}

function compareAccounts(a: GroupMember, b: GroupMember): number {
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

function contentWire(f: GroupContentFields): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    v: 1,
    g: f.groupId,
    k: f.kind,
    na: f.name,
    di: f.discoverable,
    m: f.members.map((m) => [m.identityKey, m.role]),
  };
  if (f.picture !== undefined) wire.pi = f.picture;
  if (f.description !== undefined) wire.de = f.description;
  return wire;
}

export function hashGroupContent(fields: GroupContentFields): Uint8Array {
  return sha256(concatBytes(utf8ToBytes('wardline/group-state/v1'), new Uint8Array([0]), encodeCbor(contentWire(fields))));
}

/**
 * Checks the rules every state must keep (size limits, unique members, at least one admin,
 * no moderators in broadcast lists), sorts the members and computes the hash. Throws GroupError.
 */
export function buildGroupState(fields: GroupContentFields, version: number): GroupState {
  if (fields.members.length > maxMembers(fields.kind)) throw new GroupError('TOO_MANY_MEMBERS', 'group: too many members');
  const parsedName = zGroupName.safeParse(fields.name);
  if (!parsedName.success || parsedName.data !== fields.name) throw new GroupError('MALFORMED', 'group: bad name');
  if (fields.picture !== undefined && !zGroupPicture.safeParse(fields.picture).success) throw new GroupError('MALFORMED', 'group: bad picture');
  if (fields.description !== undefined && !zGroupDescription.safeParse(fields.description).success) throw new GroupError('MALFORMED', 'group: bad description');
  if (fields.kind === 'broadcast' && fields.discoverable) throw new GroupError('MALFORMED', 'broadcast lists are never discoverable');
  if (!Number.isSafeInteger(version) || version < 1) throw new GroupError('MALFORMED', 'group: bad version');
  const members = [...fields.members].sort(compareAccounts);
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    if (!m || m.identityKey.length !== 32 || m.accountId !== accountIdFromIdentityKey(m.identityKey)) throw new GroupError('MALFORMED', 'group: bad member');
    if (i > 0 && members[i - 1]?.accountId === m.accountId) throw new GroupError('MALFORMED', 'group: duplicate member');
    if (fields.kind === 'broadcast' && m.role === 'moderator') throw new GroupError('MALFORMED', 'broadcast lists have no moderators');
  }
  if (!members.some((m) => m.role === 'admin')) throw new GroupError('MALFORMED', 'group: no admin');
  const content: GroupContentFields = { ...fields, members };
  return { ...content, version, hash: hashGroupContent(content) };
}

export function encodeGroupState(state: GroupState): Uint8Array {
  return encodeCbor({ ...contentWire(state), n: state.version });
}

/** Decodes and re-checks a snapshot; the hash is recomputed, never read. Throws GroupError. */
export function decodeGroupState(bytes: Uint8Array): GroupState {
  let s: z.infer<typeof zSnapshot>;
  try {
    s = decodeCbor(bytes, zSnapshot, 'group state');
  } catch (e) {
    if (isWardlineError(e)) throw new GroupError('MALFORMED', 'group state does not decode', { cause: e });
    throw e;
  }
  const fields: GroupContentFields = {
    groupId: s.g,
    kind: s.k,
    name: s.na,
    discoverable: s.di,
    members: s.m.map(([key, role]) => groupMember(key, role)),
    ...(s.pi === undefined ? {} : { picture: s.pi }),
    ...(s.de === undefined ? {} : { description: s.de }),
  };
  return buildGroupState(fields, s.n);
}

/** What one broadcast recipient may know of a list: the admins and itself, nobody else. */
export function broadcastView(state: GroupState, recipient: AccountId): GroupState {
  const members = state.members.filter((m) => m.role === 'admin' || m.accountId === recipient);
  return buildGroupState({ ...withoutHash(state), members }, state.version);
}

export function withoutHash(state: GroupState): GroupContentFields {
  const { version: _version, hash: _hash, ...fields } = state;
  return fields;
}
