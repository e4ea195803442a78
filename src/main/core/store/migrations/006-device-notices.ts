import type { Migration } from './migration';

/**
 * "<name> is using a new phone" (docs/protocol.md §16): the phone device ids last seen in each
 * contact's verified device list (and that list's version, so a replayed older list is no news),
 * and the notices shown as system lines in the conversation.
 */
export const deviceNotices: Migration = {
  version: 6,
  name: 'device-notices',
  up(db) {
    db.exec(`
      CREATE TABLE contact_phones (
        account_id TEXT PRIMARY KEY,
        list_version INTEGER NOT NULL,
        device_ids TEXT NOT NULL
      ) STRICT;

      CREATE TABLE device_notices (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('new-phone')),
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX device_notices_conversation ON device_notices (conversation_id, at);
    `);
  },
};
