/**
 * Errors are values with stable codes. A code is what crosses a boundary (relay close codes,
 * IPC results, UI text keys); the message is for developers only and never carries content.
 */
export class WardlineError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message?: string, options?: { cause?: unknown }) {
    super(message ?? code, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export const PROTOCOL_ERROR_CODES = [
  /** Bytes that do not decode to the expected structure (truncated, garbage, wrong types). */
  'MALFORMED',
  /** A version byte or field this implementation does not speak. */
  'UNSUPPORTED_VERSION',
  /** A signature that does not verify under the expected key. */
  'BAD_SIGNATURE',
  /** A device certificate that is not for this account, not signed by its identity, or not in the device list. */
  'BAD_CERTIFICATE',
  /** A device list older than (or equal to) one already seen, or for a different identity. */
  'STALE_DEVICE_LIST',
  /** AEAD authentication failed: tampered ciphertext or the wrong key. */
  'DECRYPT_FAILED',
  /** An envelope addressed to another device. */
  'WRONG_RECIPIENT',
  /** A message key that was already used, or an envelope id already processed. */
  'REPLAY',
  /** More skipped message keys than the bounded store allows. */
  'TOO_MANY_SKIPPED',
  /** No session with the sender and the message is not a session-starting one. */
  'NO_SESSION',
  /** The prekey a session-starting message refers to is unknown or already consumed. */
  'UNKNOWN_PREKEY',
  /** A sender whose device is not certified for the account it claims. */
  'UNKNOWN_SENDER',
  /** A structure signed by (or naming) an identity key other than the one pinned for this account. */
  'IDENTITY_MISMATCH',
  /** Something that has passed its expiry time. */
  'EXPIRED',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export class ProtocolError extends WardlineError<ProtocolErrorCode> {}

export function isWardlineError(value: unknown): value is WardlineError {
  return value instanceof WardlineError;
}

/** For exhaustive switches: the compiler proves this is never reached. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
