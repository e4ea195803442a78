/**
 * Errors the group actions raise towards the API; every code is an API error code, so the
 * renderer translates it. GroupError codes from src/shared/groups/ are mapped here: a refused
 * change never reaches the UI as anything but "not allowed" or "too many members".
 */
import type { ApiErrorCode } from '../../../shared/api';
import { WardlineError } from '../../../shared/errors';
import { GroupError } from '../../../shared/groups/group-error';

export type GroupCoreErrorCode = Extract<
  ApiErrorCode,
  'INVALID_INPUT' | 'NOT_FOUND' | 'RELAY_UNAVAILABLE' | 'SAFETY_NUMBER_CHANGED' | 'GROUP_NOT_ALLOWED' | 'GROUP_TOO_MANY_MEMBERS' | 'NOT_VERIFIED' | 'INTERNAL'
>;

export class GroupCoreError extends WardlineError<GroupCoreErrorCode> {}

/** What our own attempt to make a change turns into when src/shared/groups/ refuses it. */
export function fromGroupError(err: unknown): unknown {
  if (!(err instanceof GroupError)) return err;
  switch (err.code) {
    case 'TOO_MANY_MEMBERS':
      return new GroupCoreError('GROUP_TOO_MANY_MEMBERS', err.code, { cause: err });
    case 'NOT_ALLOWED':
    case 'NOT_MEMBER':
      return new GroupCoreError('GROUP_NOT_ALLOWED', err.code, { cause: err });
    case 'MALFORMED':
      return new GroupCoreError('INVALID_INPUT', err.code, { cause: err });
    default:
      return new GroupCoreError('INTERNAL', err.code, { cause: err });
  }
}
