/**
 * Errors between a device and the relay. The code travels in `err` frames and is what callers
 * switch on; see docs/protocol.md §15 for the meaning of each.
 */
import { WardlineError } from '../errors';

export const RELAY_ERROR_CODES = [
  /** A frame that is not CBOR, not a known frame type, or has fields of the wrong type or size. */
  'MALFORMED',
  /** A frame (or envelope) whose version this relay does not speak. */
  'UNSUPPORTED_VERSION',
  /** A request that needs an authenticated connection. */
  'UNAUTHENTICATED',
  /** `auth` on a connection that is already authenticated. */
  'ALREADY_AUTHENTICATED',
  /** The auth signature does not verify, or names a device the relay does not know. */
  'AUTH_FAILED',
  /** A device list or wipe command whose signature does not verify. */
  'BAD_SIGNATURE',
  /** A device list whose certificates or account id do not check out. */
  'BAD_CERTIFICATE',
  /** A device list not newer than the one the relay holds. */
  'STALE_DEVICE_LIST',
  /** A device list signed by another identity than the one pinned for the account. */
  'IDENTITY_MISMATCH',
  /** The account has never published a device list. */
  'UNKNOWN_ACCOUNT',
  /** An envelope for a device that is not in its account's current device list. */
  'UNKNOWN_DEVICE',
  /** The device was removed from its account's list (it may only receive its wipe command). */
  'REVOKED',
  /** The desktop's session limit has passed; it must be paired again. */
  'SESSION_EXPIRED',
  /** The recipient device's queue is full. */
  'QUEUE_FULL',
  /** Too many frames on this connection, or too many rendezvous channels from this address. */
  'RATE_LIMITED',
  /** Too many new accounts created from this client address; retry later (nothing was stored). */
  'REGISTRATION_LIMITED',
  /** A field larger than the relay stores (prekey, attestation, rendezvous message). */
  'TOO_LARGE',
  /** An envelope whose expiry time has already passed. */
  'EXPIRED',
  /** A rendezvous channel that already has two parties, or has been used up. */
  'RENDEZVOUS_FULL',
  /** A rendezvous channel that does not exist (never opened, expired or closed). */
  'RENDEZVOUS_CLOSED',
  /** A blob that does not exist (never created, expired) or is not complete yet for download. */
  'BLOB_NOT_FOUND',
  /** A blob upload at an offset other than the bytes received so far (ask blob-status, then resume). */
  'BLOB_OFFSET',
  /** The device's blob quota at the relay is used up. */
  'QUOTA_EXCEEDED',
  /** A directory search by an account without a valid verification attestation. */
  'NOT_VERIFIED',
  /** An authority request to a relay that has no verification authority key configured. */
  'NO_AUTHORITY',
  /** A group listing for a group that another account listed, by someone its listing does not name as an approver. */
  'NOT_ALLOWED',
  /** Backup & Restore: the account has no (unexpired) backup at the relay. */
  'NO_BACKUP',
  /** Backup & Restore: the proof does not verify under the backup's verifier (a wrong code). */
  'WRONG_CODE',
  /** Backup & Restore: too many wrong codes for this account; restore is refused for a while. */
  'LOCKED_OUT',
  /** Backup & Restore: a proof without a live challenge on this connection (ask for one first). */
  'NO_CHALLENGE',
  /** Only the account's phone may do this (e.g. upload the account's backup). */
  'PHONE_ONLY',
  /** The relay failed internally; the request may be retried. */
  'INTERNAL',
  /** Client side: no answer within the request timeout. */
  'TIMEOUT',
  /** Client side: the connection closed before the answer arrived. */
  'CLOSED',
] as const;
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

export class RelayError extends WardlineError<RelayErrorCode> {}

export function isRelayErrorCode(value: string): value is RelayErrorCode {
  return (RELAY_ERROR_CODES as readonly string[]).includes(value);
}
