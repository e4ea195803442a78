import { WardlineError } from '../errors';

export const BACKUP_ERROR_CODES = [
  /** A code with the wrong length or a character that is not Crockford base32. */
  'BAD_CODE_FORMAT',
  /** A code whose check characters do not match: a typo, caught before any network call. */
  'BAD_CODE_CHECK',
  /** The relay refused the proof: the code is not the one this account's backup was made with. */
  'WRONG_CODE',
  /** Too many restore attempts for this account; try again later. */
  'LOCKED_OUT',
  /** The relay holds no backup for this account. */
  'NO_BACKUP',
  /** The backup does not decrypt or decode: tampered, truncated, swapped or reordered. */
  'BAD_BACKUP',
  /** The backup header names KDF parameters weaker than the documented minimum. */
  'WEAK_KDF',
  /** The backup decrypted but is for another account or identity than the one asked for. */
  'ACCOUNT_MISMATCH',
  /** The relay did not confirm the complete upload. */
  'UPLOAD_INCOMPLETE',
  /** The snapshot is larger than a backup may be. */
  'TOO_LARGE',
] as const;
export type BackupErrorCode = (typeof BACKUP_ERROR_CODES)[number];
export class BackupError extends WardlineError<BackupErrorCode> {}
