/** Why a group change, state snapshot or listing was refused. Codes cross boundaries; messages carry no content. */
import { WardlineError } from '../errors';

export const GROUP_ERROR_CODES = [
  /** Bytes that do not decode to the expected structure, or a state that breaks the group rules. */
  'MALFORMED',
  /** The change (or listing) signature does not verify under the certified device key. */
  'BAD_SIGNATURE',
  /** The device certificate is not signed by the identity key the receiver holds for the actor. */
  'BAD_CERTIFICATE',
  /** The actor's role does not allow this change. */
  'NOT_ALLOWED',
  /** A change at or below the current version: a replay or an old message. */
  'STALE_VERSION',
  /** A change that does not follow the current state (another history, or missed changes it cannot bridge). */
  'FORK',
  /** The actor (or the named account) is not a member. */
  'NOT_MEMBER',
  /** The actor's identity key differs from the one pinned for that account. */
  'IDENTITY_MISMATCH',
  /** More members than a group or broadcast list may have, or a snapshot too large to send. */
  'TOO_MANY_MEMBERS',
  /** A change for another group than the state it is applied to. */
  'WRONG_GROUP',
] as const;
export type GroupErrorCode = (typeof GROUP_ERROR_CODES)[number];

export class GroupError extends WardlineError<GroupErrorCode> {}
