import type { Database } from 'better-sqlite3-multiple-ciphers';
import { StoreError } from '../store-error';
import { coreSchema } from './001-core-schema';
import { messageSearch } from './002-message-search';
import { protocolStateAndLock } from './003-protocol-state-and-lock';
import { signedPrekeys } from './004-signed-prekeys';
import { groups } from './005-groups';
import { deviceNotices } from './006-device-notices';
import type { Migration } from './migration';

/** Every migration in order; a new one is appended here and never edited once shipped. */
export const MIGRATIONS: readonly Migration[] = [coreSchema, messageSearch, protocolStateAndLock, signedPrekeys, groups, deviceNotices];
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: latest), one migration per transaction so a failure
 * leaves the file at the last good version. Returns the versions applied.
 */
export function migrate(db: Database, target = LATEST_SCHEMA_VERSION): number[] {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) throw new StoreError('NEWER_SCHEMA', `schema ${current} is newer than ${LATEST_SCHEMA_VERSION}`);
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    const step = db.transaction(() => {
      migration.up(db);
      // PRAGMA does not take bound parameters; the version is our own integer.
      db.pragma(`user_version = ${String(migration.version)}`);
    });
    try {
      step();
    } catch (cause) {
      throw new StoreError('MIGRATION_FAILED', `migration ${migration.version} (${migration.name}) failed`, { cause });
    }
    applied.push(migration.version);
  }
  return applied;
}
