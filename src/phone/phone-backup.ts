/**
 * The phone's side of Backup & Restore: holds the code, the set of kept messages, builds the
 * snapshot and uploads it to the relay when it changed or a day has passed (BACKUP_INTERVAL_MS).
 * The code is generated when the phone first creates (or first opens) its account.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { makeAccountBackup } from '../shared/backup/account-backup';
import { BackupError } from '../shared/backup/backup-error';
import { BACKUP_KDF_PARAMS, type KdfParams } from '../shared/backup/backup-kdf';
import { encodeBackupSnapshot, type BackupSnapshot } from '../shared/backup/backup-snapshot';
import { generateRecoveryCode, type RecoveryCode } from '../shared/backup/recovery-code';
import { concatBytes, constantTimeEqual, utf8ToBytes } from '../shared/bytes';
import type { Clock } from '../shared/clock';
import { BACKUP_INTERVAL_MS } from '../shared/limits';
import type { MessageId } from '../shared/messages/message-id';
import type { RelayClient } from '../shared/wire/relay-client';
import { accountOf } from './phone-account';
import { loadBackupState, saveBackupState, type BackupState } from './backup-state';
import type { PhoneState } from './phone-state';

export interface BackupUpload {
  readonly createdAt: number;
  readonly chunks: number;
}

/** A new account's backup state: a fresh code, nothing kept, never uploaded. */
export function newBackupState(): BackupState {
  return { code: generateRecoveryCode(), kept: [], lastUpload: null };
}

export class PhoneBackup {
  readonly #state: BackupState;
  /** The phone's group memberships as encoded group states (src/shared/groups/group-state.ts). */
  groupSource: () => readonly Uint8Array[] = () => [];

  private constructor(
    state: BackupState,
    private readonly dataDir: string | undefined,
    private readonly clock: Clock,
    private readonly kdf: KdfParams,
  ) {
    this.#state = state;
  }

  /** Loads the backup state, or starts one with a fresh code (and saves it) when there is none. */
  static openOrCreate(dataDir: string | undefined, clock: Clock, kdf: KdfParams = BACKUP_KDF_PARAMS, initial?: BackupState): PhoneBackup {
    const state = initial ?? (dataDir ? loadBackupState(dataDir) : null) ?? newBackupState();
    const backup = new PhoneBackup(state, dataDir, clock, kdf);
    backup.#save();
    return backup;
  }

  get code(): RecoveryCode {
    return this.#state.code;
  }

  get kept(): readonly MessageId[] {
    return this.#state.kept;
  }

  get lastUploadAt(): number | null {
    return this.#state.lastUpload?.at ?? null;
  }

  keep(id: MessageId): void {
    if (!this.#state.kept.includes(id)) this.#state.kept.push(id);
    this.#save();
  }

  unkeep(id: MessageId): void {
    this.#state.kept = this.#state.kept.filter((k) => k !== id);
    this.#save();
  }

  /** A new code; the next upload replaces the relay's backup, after which the old code opens nothing. */
  rotateCode(): RecoveryCode {
    this.#state.code = generateRecoveryCode();
    this.#state.lastUpload = null;
    this.#save();
    return this.#state.code;
  }

  /** Only kept messages go into a backup: unkept ones expire after 30 days and must not outlive that here. */
  snapshot(phone: PhoneState): BackupSnapshot {
    const kept = new Set<string>(this.#state.kept);
    return {
      accountId: accountOf(phone).accountId,
      identitySecret: phone.identitySecret,
      profile: phone.profile,
      contacts: phone.contacts,
      knownAccounts: phone.knownAccounts,
      groups: this.groupSource(),
      attestations: [],
      messages: phone.history.filter((m) => kept.has(m.id)),
    };
  }

  /** Due when never uploaded, when the snapshot or code changed, or BACKUP_INTERVAL_MS after the last upload. */
  isDue(phone: PhoneState): boolean {
    const last = this.#state.lastUpload;
    if (!last) return true;
    if (this.clock.now() - last.at >= BACKUP_INTERVAL_MS) return true;
    return !constantTimeEqual(last.digest, this.#digest(phone));
  }

  async upload(client: RelayClient, phone: PhoneState): Promise<BackupUpload> {
    const createdAt = this.clock.now();
    const snapshot = this.snapshot(phone);
    const digest = this.#digest(phone);
    const made = await makeAccountBackup(snapshot, this.#state.code, createdAt, this.kdf);
    let outcome: 'staged' | 'stored' = 'staged';
    for (const [i, chunk] of made.sealed.chunks.entries()) outcome = await client.putBackupChunk(made.sealed.header, made.verifierKey, i, chunk);
    if (outcome !== 'stored') throw new BackupError('UPLOAD_INCOMPLETE', 'relay did not store the complete backup');
    this.#state.lastUpload = { at: createdAt, digest };
    this.#save();
    return { createdAt, chunks: made.sealed.chunks.length };
  }

  async uploadIfDue(client: RelayClient, phone: PhoneState): Promise<BackupUpload | null> {
    return this.isDue(phone) ? this.upload(client, phone) : null;
  }

  #digest(phone: PhoneState): Uint8Array {
    return sha256(concatBytes(utf8ToBytes(this.#state.code), encodeBackupSnapshot(this.snapshot(phone))));
  }

  #save(): void {
    if (this.dataDir) saveBackupState(this.dataDir, this.#state);
  }
}
