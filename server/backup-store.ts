/**
 * The relay's side of Backup & Restore: per account one encrypted backup (header, ciphertext
 * chunks, the verifier's public key) in its own SQLite file `backups.sqlite`, the restore
 * challenges, and the per-account attempt counters.
 *
 * The relay cannot read a backup: it holds neither the code nor anything derived from it except
 * the verifier public key (see docs/protocol.md §16 for what a stolen disk gives away).
 *
 *   put(accountId, header, verifierKey, index, chunk) → 'staged' | 'stored'   the phone uploads
 *   challenge(peer, accountId) → { header, nonce }                              restore step 1
 *   prove(peer, accountId, signature) → chunk count                             restore step 2 (counts an attempt)
 *   chunk(peer, accountId, index) → bytes                                       restore step 3
 *   sweep(now)                                                                   drops backups not renewed in time
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import Database from 'better-sqlite3-multiple-ciphers';
import { constantTimeEqual } from '../src/shared/bytes';
import { decodeBackupHeader } from '../src/shared/backup/backup-archive';
import { verifyRestoreProof } from '../src/shared/backup/restore-proof';
import type { Clock } from '../src/shared/clock';
import {
  BACKUP_CHALLENGE_TTL_MS,
  BACKUP_LOCKOUT_FAILURES,
  BACKUP_LOCKOUT_MS,
  BACKUP_RESTORE_ATTEMPTS_PER_HOUR,
  BACKUP_RETENTION_MS,
  HOUR_MS,
} from '../src/shared/limits';
import type { AccountId } from '../src/shared/protocol/ids';
import { RelayError } from '../src/shared/wire/relay-error';
import type { Peer } from './peer';

export interface BackupLimits {
  readonly attemptsPerHour: number;
  readonly lockoutFailures: number;
  readonly lockoutMs: number;
  readonly retentionMs: number;
  readonly challengeTtlMs: number;
}

export const DEFAULT_BACKUP_LIMITS: BackupLimits = {
  attemptsPerHour: BACKUP_RESTORE_ATTEMPTS_PER_HOUR,
  lockoutFailures: BACKUP_LOCKOUT_FAILURES,
  lockoutMs: BACKUP_LOCKOUT_MS,
  retentionMs: BACKUP_RETENTION_MS,
  challengeTtlMs: BACKUP_CHALLENGE_TTL_MS,
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS backups (
    account_id TEXT PRIMARY KEY,
    header BLOB NOT NULL,
    verifier_key BLOB NOT NULL,
    chunk_count INTEGER NOT NULL,
    total_bytes INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS backup_chunks (
    account_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    chunk BLOB NOT NULL,
    PRIMARY KEY (account_id, idx)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS backup_attempts (
    account_id TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    window_count INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
  ) STRICT;
`;

interface Staged {
  readonly headerHash: Uint8Array;
  readonly header: Uint8Array;
  readonly verifierKey: Uint8Array;
  readonly chunks: (Uint8Array | undefined)[];
}

interface Challenge {
  readonly accountId: AccountId;
  readonly nonce: Uint8Array;
  readonly header: Uint8Array;
  readonly expiresAt: number;
  granted: boolean;
}

interface BackupRow {
  header: Uint8Array;
  verifier_key: Uint8Array;
  chunk_count: number;
  stored_at: number;
}

interface AttemptRow {
  window_start: number;
  window_count: number;
  failures: number;
  locked_until: number;
}

export type PutOutcome = 'staged' | 'stored';

export class BackupStore {
  readonly #db: Database.Database;
  /** Uploads in progress, one per account; a new header restarts it. */
  readonly #staged = new Map<AccountId, Staged>();
  /** One restore challenge per connection; answering it (right or wrong) uses it up. */
  readonly #challenges = new WeakMap<Peer, Challenge>();

  constructor(
    dataDir: string,
    private readonly clock: Clock,
    private readonly limits: BackupLimits = DEFAULT_BACKUP_LIMITS,
  ) {
    this.#db = new Database(join(dataDir, 'backups.sqlite'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
  }

  close(): void {
    this.#db.close();
  }

  /** The owner's phone uploads chunk `index` of the backup described by `header`. */
  put(accountId: AccountId, header: Uint8Array, verifierKey: Uint8Array, index: number, chunk: Uint8Array): PutOutcome {
    let parsed;
    try {
      parsed = decodeBackupHeader(header);
    } catch {
      throw new RelayError('MALFORMED');
    }
    if (parsed.accountId !== accountId || index >= parsed.chunkCount) throw new RelayError('MALFORMED');
    const headerHash = sha256(header);
    let staged = this.#staged.get(accountId);
    if (!staged || !constantTimeEqual(staged.headerHash, headerHash) || !constantTimeEqual(staged.verifierKey, verifierKey)) {
      staged = { headerHash, header, verifierKey, chunks: new Array<Uint8Array | undefined>(parsed.chunkCount).fill(undefined) };
      this.#staged.set(accountId, staged);
    }
    staged.chunks[index] = chunk;
    if (staged.chunks.some((c) => c === undefined)) return 'staged';
    this.#commit(accountId, staged);
    this.#staged.delete(accountId);
    return 'stored';
  }

  #commit(accountId: AccountId, staged: Staged): void {
    const chunks = staged.chunks as Uint8Array[];
    const now = this.clock.now();
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM backup_chunks WHERE account_id = ?').run(accountId);
      this.#db
        .prepare(
          `INSERT INTO backups (account_id, header, verifier_key, chunk_count, total_bytes, stored_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (account_id) DO UPDATE SET header = excluded.header, verifier_key = excluded.verifier_key,
             chunk_count = excluded.chunk_count, total_bytes = excluded.total_bytes, stored_at = excluded.stored_at`,
        )
        .run(accountId, staged.header, staged.verifierKey, chunks.length, chunks.reduce((n, c) => n + c.length, 0), now);
      const insert = this.#db.prepare('INSERT INTO backup_chunks (account_id, idx, chunk) VALUES (?, ?, ?)');
      chunks.forEach((c, i) => insert.run(accountId, i, c));
    })();
  }

  #backup(accountId: AccountId): BackupRow | undefined {
    const row = this.#db.prepare('SELECT header, verifier_key, chunk_count, stored_at FROM backups WHERE account_id = ?').get(accountId) as BackupRow | undefined;
    if (row && row.stored_at + this.limits.retentionMs <= this.clock.now()) {
      this.#delete(accountId);
      return undefined;
    }
    return row;
  }

  /** Restore step 1: the backup's header and a fresh challenge for this connection. */
  challenge(peer: Peer, accountId: AccountId): { header: Uint8Array; nonce: Uint8Array } {
    const now = this.clock.now();
    if (this.#attempts(accountId).locked_until > now) throw new RelayError('LOCKED_OUT');
    const row = this.#backup(accountId);
    if (!row) throw new RelayError('NO_BACKUP');
    const nonce = new Uint8Array(randomBytes(32));
    const header = asBytes(row.header);
    this.#challenges.set(peer, { accountId, nonce, header, expiresAt: now + this.limits.challengeTtlMs, granted: false });
    return { header, nonce };
  }

  /** Restore step 2: counts one attempt; right → this connection may fetch the chunks. */
  prove(peer: Peer, accountId: AccountId, signature: Uint8Array): number {
    const now = this.clock.now();
    const challenge = this.#challenges.get(peer);
    this.#challenges.delete(peer);
    if (!challenge || challenge.accountId !== accountId || challenge.expiresAt <= now) throw new RelayError('NO_CHALLENGE');
    const attempts = this.#attempts(accountId);
    if (attempts.locked_until > now) throw new RelayError('LOCKED_OUT');
    if (now - attempts.window_start >= HOUR_MS) Object.assign(attempts, { window_start: now, window_count: 0 });
    if (attempts.window_count >= this.limits.attemptsPerHour) throw new RelayError('RATE_LIMITED');
    attempts.window_count++;
    const row = this.#backup(accountId);
    // The backup may have been replaced since the challenge: the proof is bound to the old header.
    const ok = !!row && constantTimeEqual(row.header, challenge.header) && verifyRestoreProof(row.verifier_key, signature, accountId, challenge.nonce, challenge.header);
    if (ok) {
      attempts.failures = 0;
      this.#saveAttempts(accountId, attempts);
      this.#challenges.set(peer, { ...challenge, granted: true });
      return row.chunk_count;
    }
    if (++attempts.failures >= this.limits.lockoutFailures) Object.assign(attempts, { failures: 0, locked_until: now + this.limits.lockoutMs });
    this.#saveAttempts(accountId, attempts);
    throw new RelayError('WRONG_CODE');
  }

  /** Restore step 3: only on a connection that proved the code for this account. */
  chunk(peer: Peer, accountId: AccountId, index: number): Uint8Array {
    const grant = this.#challenges.get(peer);
    if (!grant?.granted || grant.accountId !== accountId) throw new RelayError('UNAUTHENTICATED');
    const row = this.#db.prepare('SELECT chunk FROM backup_chunks WHERE account_id = ? AND idx = ?').get(accountId, index) as { chunk: Uint8Array } | undefined;
    if (!row) throw new RelayError('NO_BACKUP');
    return asBytes(row.chunk);
  }

  /** Whether the account has a stored backup and when it was stored (for tests and health). */
  storedAt(accountId: AccountId): number | null {
    return this.#backup(accountId)?.stored_at ?? null;
  }

  sweep(now = this.clock.now()): void {
    const expired = this.#db.prepare('SELECT account_id FROM backups WHERE stored_at <= ?').all(now - this.limits.retentionMs) as { account_id: string }[];
    for (const { account_id } of expired) this.#delete(account_id);
    this.#db.prepare('DELETE FROM backup_attempts WHERE window_start <= ? AND locked_until <= ? AND failures = 0').run(now - HOUR_MS, now);
  }

  #delete(accountId: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM backup_chunks WHERE account_id = ?').run(accountId);
      this.#db.prepare('DELETE FROM backups WHERE account_id = ?').run(accountId);
    })();
  }

  #attempts(accountId: AccountId): AttemptRow {
    const row = this.#db.prepare('SELECT window_start, window_count, failures, locked_until FROM backup_attempts WHERE account_id = ?').get(accountId) as AttemptRow | undefined;
    return row ?? { window_start: this.clock.now(), window_count: 0, failures: 0, locked_until: 0 };
  }

  #saveAttempts(accountId: AccountId, a: AttemptRow): void {
    this.#db
      .prepare(
        `INSERT INTO backup_attempts (account_id, window_start, window_count, failures, locked_until) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET window_start = excluded.window_start, window_count = excluded.window_count,
           failures = excluded.failures, locked_until = excluded.locked_until`,
      )
      .run(accountId, a.window_start, a.window_count, a.failures, a.locked_until);
  }
}

/** SQLite hands out Buffers; the wire and callers deal in plain Uint8Arrays. */
function asBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
