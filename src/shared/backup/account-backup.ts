/**
 * Making and reading an account backup: snapshot → CBOR → chunks sealed under keys from the code.
 *
 *   const made = await makeAccountBackup(snapshot, code, createdAt)          // production KDF parameters
 *   made.sealed (header + chunks for the relay), made.verifierKey (public, for the relay)
 *   const keys = await deriveBackupKeys(code, header.salt, header.kdf)       // after requireKdfStrength
 *   const snapshot = openAccountBackup(sealed, keys, accountId)
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { isWardlineError } from '../errors';
import { accountIdFromIdentityKey, type AccountId } from '../protocol/ids';
import { decodeBackupHeader, openBackup, sealBackup, SNAPSHOT_ID_BYTES, type SealedBackup } from './backup-archive';
import { BackupError } from './backup-error';
import { BACKUP_KDF_PARAMS, deriveBackupKeys, SALT_BYTES, type BackupKeys, type KdfParams } from './backup-kdf';
import { decodeBackupSnapshot, encodeBackupSnapshot, type BackupSnapshot } from './backup-snapshot';
import type { RecoveryCode } from './recovery-code';

export interface MadeBackup {
  readonly sealed: SealedBackup;
  readonly verifierKey: Uint8Array;
  readonly snapshotId: Uint8Array;
}

export async function makeAccountBackup(snapshot: BackupSnapshot, code: RecoveryCode, createdAt: number, kdf: KdfParams = BACKUP_KDF_PARAMS): Promise<MadeBackup> {
  const salt = randomBytes(SALT_BYTES);
  const snapshotId = randomBytes(SNAPSHOT_ID_BYTES);
  const keys = await deriveBackupKeys(code, salt, kdf);
  try {
    const sealed = sealBackup(encodeBackupSnapshot(snapshot), { accountId: snapshot.accountId, snapshotId, createdAt, kdf, salt }, keys);
    return { sealed, verifierKey: keys.verifier.publicKey, snapshotId };
  } finally {
    keys.purge();
  }
}

/** Throws BackupError BAD_BACKUP or ACCOUNT_MISMATCH. */
export function openAccountBackup(sealed: SealedBackup, keys: BackupKeys, accountId: AccountId): BackupSnapshot {
  const plaintext = openBackup(sealed, keys);
  let snapshot: BackupSnapshot;
  try {
    snapshot = decodeBackupSnapshot(plaintext);
  } catch (cause) {
    throw new BackupError('BAD_BACKUP', 'snapshot does not decode', { cause: isWardlineError(cause) ? cause.code : undefined });
  }
  const header = decodeBackupHeader(sealed.header);
  const identityAccount = accountIdFromIdentityKey(ed25519.getPublicKey(snapshot.identitySecret));
  if (header.accountId !== accountId || snapshot.accountId !== accountId || identityAccount !== accountId) {
    throw new BackupError('ACCOUNT_MISMATCH', 'backup is for another account');
  }
  return snapshot;
}
