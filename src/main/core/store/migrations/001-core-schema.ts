import type { Migration } from './migration';

/** Conversations, contacts, messages, attachment metadata, settings. */
export const coreSchema: Migration = {
  version: 1,
  name: 'core-schema',
  up(db) {
    db.exec(`
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
        peer_account_id TEXT,
        title TEXT,
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        CHECK (kind <> 'direct' OR peer_account_id IS NOT NULL)
      ) STRICT;
      CREATE UNIQUE INDEX conversations_direct_peer ON conversations (peer_account_id) WHERE kind = 'direct';
      CREATE INDEX conversations_activity ON conversations (last_activity_at DESC, id);

      CREATE TABLE contacts (
        account_id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        profession TEXT,
        organisation TEXT,
        identity_key BLOB NOT NULL,
        verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
        safety_number_changed INTEGER NOT NULL DEFAULT 0 CHECK (safety_number_changed IN (0, 1)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- seq is the rowid the full-text index maps to; id is the protocol's message id.
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        sender_account_id TEXT NOT NULL,
        sender_device_id TEXT,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        received_at INTEGER,
        state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'delivered', 'read', 'failed')),
        kept INTEGER NOT NULL DEFAULT 0 CHECK (kept IN (0, 1)),
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX messages_page ON messages (conversation_id, sent_at, seq);
      CREATE INDEX messages_expiry ON messages (expires_at) WHERE kept = 0;
      CREATE INDEX messages_unread ON messages (conversation_id) WHERE direction = 'in' AND state <> 'read';

      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        file_name TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        blob_key BLOB NOT NULL,
        blob_digest BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_message ON attachments (message_id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};
