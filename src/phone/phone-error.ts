import { WardlineError } from '../shared/errors';

export const PHONE_ERROR_CODES = [
  /** No phone state in the data directory (run `create` first), or one already exists. */
  'NO_ACCOUNT',
  'ACCOUNT_EXISTS',
  /** The account already has the most devices a device list may hold. */
  'TOO_MANY_DEVICES',
  /** A desktop id this phone has not linked. */
  'UNKNOWN_DESKTOP',
  /** None of the recipient's devices could be reached (no device list or no prekeys). */
  'UNREACHABLE',
  /** waitForMessage gave up. */
  'TIMEOUT',
  /** The phone was closed. */
  'CLOSED',
] as const;
export type PhoneErrorCode = (typeof PHONE_ERROR_CODES)[number];
export class PhoneError extends WardlineError<PhoneErrorCode> {}
