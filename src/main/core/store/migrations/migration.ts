import type { Database } from 'better-sqlite3-multiple-ciphers';

/** One schema step. `up` runs inside a transaction together with the user_version bump. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
