import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import { StoreError } from './store-error';

export type StoredGroupKind = 'group' | 'broadcast';
export type StoredGroupRole = 'admin' | 'moderator' | 'member';

export interface StoredGroupMember {
  readonly accountId: string;
  readonly identityKey: Uint8Array;
  readonly role: StoredGroupRole;
}

/** The last verified state of a group as this device accepted it (src/main/core/groups/). */
export interface StoredGroupState {
  readonly groupId: string;
  readonly kind: StoredGroupKind;
  readonly version: number;
  readonly name: string;
  readonly description: string | null;
  readonly picture: Uint8Array | null;
  readonly discoverable: boolean;
  readonly hash: Uint8Array;
  readonly members: readonly StoredGroupMember[];
}

export interface StoredGroup extends StoredGroupState {
  readonly conversationId: string;
  /** A verified change removed us (or we left): history stays, sending stops. */
  readonly removed: boolean;
  readonly updatedAt: number;
}

export interface StoredJoinRequest {
  readonly groupId: string;
  readonly accountId: string;
  readonly note: string | null;
  readonly receivedAt: number;
}

export interface Groups {
  /** Stores a verified state: creates the group and its conversation, or replaces the state. */
  save(state: StoredGroupState, options: { removed: boolean }): StoredGroup;
  get(groupId: string): StoredGroup | null;
  byConversation(conversationId: string): StoredGroup | null;
  list(): StoredGroup[];
  addJoinRequest(request: Omit<StoredJoinRequest, 'receivedAt'>): boolean;
  joinRequests(groupId?: string): StoredJoinRequest[];
  removeJoinRequest(groupId: string, accountId: string): boolean;
}

interface GroupRow {
  group_id: string;
  conversation_id: string;
  kind: StoredGroupKind;
  version: number;
  name: string;
  description: string | null;
  picture: Buffer | null;
  discoverable: number;
  state_hash: Buffer;
  removed: number;
  updated_at: number;
}

interface MemberRow {
  account_id: string;
  identity_key: Buffer;
  role: StoredGroupRole;
}

interface JoinRow {
  group_id: string;
  account_id: string;
  note: string | null;
  received_at: number;
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

export function createGroups(db: Database, clock: Clock): Groups {
  const byId = db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE group_id = ?');
  const byConversationStmt = db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE conversation_id = ?');
  const all = db.prepare<[], GroupRow>('SELECT * FROM groups ORDER BY updated_at DESC, group_id');
  const membersOf = db.prepare<[string], MemberRow>('SELECT account_id, identity_key, role FROM group_members WHERE group_id = ? ORDER BY position');
  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, kind, peer_account_id, title, created_at, last_activity_at) VALUES (?, 'group', NULL, ?, ?, ?)`,
  );
  const retitle = db.prepare('UPDATE conversations SET title = ? WHERE id = ?');
  const insertGroup = db.prepare(`
    INSERT INTO groups (group_id, conversation_id, kind, version, name, description, picture, discoverable, state_hash, removed, updated_at)
    VALUES (@groupId, @conversationId, @kind, @version, @name, @description, @picture, @discoverable, @hash, @removed, @now)`);
  const updateGroup = db.prepare(`
    UPDATE groups SET version = @version, name = @name, description = @description, picture = @picture,
      discoverable = @discoverable, state_hash = @hash, removed = @removed, updated_at = @now
    WHERE group_id = @groupId`);
  const clearMembers = db.prepare('DELETE FROM group_members WHERE group_id = ?');
  const insertMember = db.prepare('INSERT INTO group_members (group_id, account_id, identity_key, role, position) VALUES (?, ?, ?, ?, ?)');
  const insertJoin = db.prepare(
    'INSERT INTO group_join_requests (group_id, account_id, note, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, account_id) DO UPDATE SET note = excluded.note, received_at = excluded.received_at',
  );
  const joinsOf = db.prepare<[string], JoinRow>('SELECT * FROM group_join_requests WHERE group_id = ? ORDER BY received_at, account_id');
  const allJoins = db.prepare<[], JoinRow>('SELECT * FROM group_join_requests ORDER BY received_at, account_id');
  const deleteJoin = db.prepare('DELETE FROM group_join_requests WHERE group_id = ? AND account_id = ?');
  const dropJoinsOfMember = db.prepare('DELETE FROM group_join_requests WHERE group_id = ? AND account_id IN (SELECT account_id FROM group_members WHERE group_id = ?)');

  const fromRow = (row: GroupRow): StoredGroup => ({
    groupId: row.group_id,
    conversationId: row.conversation_id,
    kind: row.kind,
    version: row.version,
    name: row.name,
    description: row.description,
    picture: row.picture ? bytes(row.picture) : null,
    discoverable: row.discoverable === 1,
    hash: bytes(row.state_hash),
    removed: row.removed === 1,
    updatedAt: row.updated_at,
    members: membersOf.all(row.group_id).map((m) => ({ accountId: m.account_id, identityKey: bytes(m.identity_key), role: m.role })),
  });

  const save = db.transaction((state: StoredGroupState, removed: boolean): StoredGroup => {
    const now = clock.now();
    const existing = byId.get(state.groupId);
    const params = {
      groupId: state.groupId,
      kind: state.kind,
      version: state.version,
      name: state.name,
      description: state.description,
      picture: state.picture ? Buffer.from(state.picture) : null,
      discoverable: state.discoverable ? 1 : 0,
      hash: Buffer.from(state.hash),
      removed: removed ? 1 : 0,
      now,
    };
    if (existing) {
      if (existing.kind !== state.kind) throw new StoreError('BAD_ARGUMENT', 'a group cannot change its kind');
      updateGroup.run(params);
      retitle.run(state.name, existing.conversation_id);
    } else {
      const conversationId = randomBytes(16).toString('hex');
      insertConversation.run(conversationId, state.name, now, now);
      insertGroup.run({ ...params, conversationId });
    }
    clearMembers.run(state.groupId);
    state.members.forEach((m, i) => insertMember.run(state.groupId, m.accountId, Buffer.from(m.identityKey), m.role, i));
    // A request from someone who is a member now has been answered.
    dropJoinsOfMember.run(state.groupId, state.groupId);
    return fromRow(byId.get(state.groupId)!);
  });

  return {
    save: (state, options) => save(state, options.removed),
    get(groupId) {
      const row = byId.get(groupId);
      return row ? fromRow(row) : null;
    },
    byConversation(conversationId) {
      const row = byConversationStmt.get(conversationId);
      return row ? fromRow(row) : null;
    },
    list: () => all.all().map(fromRow),
    addJoinRequest(request) {
      if (!byId.get(request.groupId)) return false;
      insertJoin.run(request.groupId, request.accountId, request.note, clock.now());
      return true;
    },
    joinRequests(groupId) {
      const rows = groupId === undefined ? allJoins.all() : joinsOf.all(groupId);
      return rows.map((r) => ({ groupId: r.group_id, accountId: r.account_id, note: r.note, receivedAt: r.received_at }));
    },
    removeJoinRequest: (groupId, accountId) => deleteJoin.run(groupId, accountId).changes > 0,
  };
}
