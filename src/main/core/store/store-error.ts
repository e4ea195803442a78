import { WardlineError } from '../../../shared/errors';

export const STORE_ERROR_CODES = [
  /** The database key does not open this file (or the file is not a Wardline store). */
  'WRONG_KEY',
  /** A key that is not exactly 32 bytes, or an account id that is not a valid id. */
  'BAD_ARGUMENT',
  /** The file was written by a newer Wardline (user_version above the last known migration). */
  'NEWER_SCHEMA',
  /** A migration failed; the transaction was rolled back and the file is unchanged. */
  'MIGRATION_FAILED',
  /** A record the caller referred to does not exist. */
  'NOT_FOUND',
  /** An attachment blob failed authentication, was truncated, reordered or does not match its digest. */
  'BLOB_CORRUPT',
  /** The store was used after close(). */
  'CLOSED',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends WardlineError<StoreErrorCode> {}
