import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import Sqlite from 'better-sqlite3-multiple-ciphers';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { bytesToHex } from '../../../shared/bytes';
import type { Clock } from '../../../shared/clock';
import type { AccountId } from '../../../shared/protocol/ids';
import { createAttachments, type Attachments } from './attachments';
import { createContacts, type Contacts } from './contacts';
import { createConversations, type Conversations } from './conversations';
import { createGroups, type Groups } from './groups';
import { createMessageDeletion, type MessageDeletion } from './message-deletion';
import { createMessageSearch, type MessageSearch } from './message-search';
import { createMessages, type Messages } from './messages';
import { migrate } from './migrations/migrate';
import { createProtocolState, type ProtocolState } from './protocol-state';
import { createSettings, type Settings } from './settings';
import { StoreError } from './store-error';
import { storePaths, type StorePaths } from './store-paths';

export const STORE_KEY_LENGTH = 32;

export interface OpenAccountStoreOptions {
  /** The app's data directory; the store lives in `<dataDir>/accounts/<accountId>/`. */
  readonly dataDir: string;
  readonly accountId: AccountId;
  /** 32 random bytes from the caller (wrapped for the phone at pairing); never written to disk. */
  readonly key: Uint8Array;
  readonly clock: Clock;
}

export interface AccountStore {
  readonly accountId: AccountId;
  readonly paths: StorePaths;
  readonly clock: Clock;
  readonly conversations: Conversations;
  /** Groups and broadcast lists (src/main/core/groups/). */
  readonly groups: Groups;
  readonly messages: Messages;
  readonly contacts: Contacts;
  readonly attachments: Attachments;
  readonly search: MessageSearch;
  readonly deletion: MessageDeletion;
  readonly protocolState: ProtocolState;
  readonly settings: Settings;
  /** The raw connection, for the lock and expiry modules and tests; not for the UI layer. */
  readonly db: Database;
  /** Checkpoints the WAL into the main file and closes; the key leaves memory with the connection. */
  close(): void;
}

/**
 * Applies the SQLCipher 4 settings and the key. Order matters: cipher and legacy must be set
 * before the key, and nothing may touch the file before the key is checked.
 */
function applyKey(db: Database, key: Uint8Array): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  // A raw key (x'..', 64 hex digits) is used as the AES key directly: no passphrase KDF.
  // The hex string is an unavoidable JS copy of the key; it is not retained.
  db.pragma(`key = "x'${bytesToHex(key)}'"`);
}

function checkKey(db: Database): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (cause) {
    throw new StoreError('WRONG_KEY', 'the key does not open this store', { cause });
  }
}

/**
 * Opens (or creates) the account's database file with the SQLCipher 4 settings and the hardened
 * pragmas, without migrating. openAccountStore is what the app uses; this is for migration tests.
 */
export function openStoreDatabase(options: Omit<OpenAccountStoreOptions, 'clock'>): { db: Database; paths: StorePaths } {
  const { dataDir, accountId, key } = options;
  if (!(key instanceof Uint8Array) || key.length !== STORE_KEY_LENGTH) throw new StoreError('BAD_ARGUMENT', 'store key must be 32 bytes');
  const paths = storePaths(dataDir, accountId);
  mkdirSync(paths.attachmentsDir, { recursive: true, mode: 0o700 });
  const db = new Sqlite(paths.dbPath);
  try {
    // SQLite gives the -wal and -shm files the database file's permissions.
    chmodSync(paths.dbPath, 0o600);
    applyKey(db, key);
    checkKey(db);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the file; a power cut may lose only the last commits.
    db.pragma('synchronous = NORMAL');
    // Freed pages are overwritten, and sorts/temp indexes never leave memory for a temp file.
    db.pragma('secure_delete = ON');
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, paths };
}

/** Opens the account's store, migrating it to the latest schema. Throws StoreError (WRONG_KEY, ...). */
export function openAccountStore(options: OpenAccountStoreOptions): AccountStore {
  const { accountId, clock } = options;
  const { db, paths } = openStoreDatabase(options);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const deletion = createMessageDeletion(db, paths.attachmentsDir);
  return {
    accountId,
    paths,
    clock,
    conversations: createConversations(db, clock),
    groups: createGroups(db, clock),
    messages: createMessages(db, clock),
    contacts: createContacts(db, clock),
    attachments: createAttachments(db, paths.attachmentsDir, clock),
    search: createMessageSearch(db),
    deletion,
    protocolState: createProtocolState(db, clock),
    settings: createSettings(db),
    db,
    close() {
      if (!db.open) return;
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/**
 * Remote wipe / account removal: deletes the account's database (with -wal/-shm) and every
 * attachment blob. Close the store first.
 */
export function deleteAccountStore(dataDir: string, accountId: AccountId): void {
  rmSync(storePaths(dataDir, accountId).accountDir, { recursive: true, force: true });
}
