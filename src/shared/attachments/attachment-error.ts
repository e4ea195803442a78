/** Errors of attachment encryption and transfer; the code is what crosses boundaries. */
import { WardlineError } from '../errors';

export const ATTACHMENT_ERROR_CODES = [
  /** A key that is not 32 bytes, or a chunk size out of range. */
  'BAD_ARGUMENT',
  /** Larger than ATTACHMENT_MAX_BYTES, or more bytes than the message announced. */
  'TOO_LARGE',
  /** A chunk failed authentication: wrong key, tampering, reordering, or a bad header. */
  'TAMPERED',
  /** The blob ended before the announced size (or has bytes after it). */
  'TRUNCATED',
  /** Every chunk authenticated but the plaintext digest differs from the one in the message. */
  'DIGEST_MISMATCH',
] as const;
export type AttachmentErrorCode = (typeof ATTACHMENT_ERROR_CODES)[number];

export class AttachmentError extends WardlineError<AttachmentErrorCode> {}
