import type { Migration } from './migration';

/**
 * Groups and broadcast lists. A conversation is either 1:1 (`kind = 'direct'`, a peer account) or
 * a group (`kind = 'group'`, exactly one `groups` row whatever the group kind). The rows hold the
 * last verified group state (docs/trust-and-groups.md): its fields, its hash (the next change must
 * name it) and its members with the identity keys the change chain vouched for. Join requests
 * that reached this device wait in `group_join_requests` until a moderator or admin answers.
 */
export const groups: Migration = {
  version: 5,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE groups (
        group_id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('group', 'broadcast')),
        version INTEGER NOT NULL CHECK (version >= 1),
        name TEXT NOT NULL,
        description TEXT,
        picture BLOB,
        discoverable INTEGER NOT NULL DEFAULT 0 CHECK (discoverable IN (0, 1)),
        state_hash BLOB NOT NULL,
        -- 1 once a verified change removed us (or we left): the thread stays readable, sending stops.
        removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'member')),
        position INTEGER NOT NULL,
        PRIMARY KEY (group_id, account_id)
      ) STRICT;
      CREATE INDEX group_members_account ON group_members (account_id);

      CREATE TABLE group_join_requests (
        group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        note TEXT,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, account_id)
      ) STRICT;
    `);
  },
};
