import type { Migration } from './migration';

/**
 * Signed prekey secrets (current and recently replaced), so the desktop's protocol sessions,
 * including session-starting messages that arrive after a restart, survive in the encrypted store.
 */
export const signedPrekeys: Migration = {
  version: 4,
  name: 'signed-prekeys',
  up(db) {
    db.exec(`
      CREATE TABLE signed_prekeys (
        key_id INTEGER PRIMARY KEY,
        secret BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
