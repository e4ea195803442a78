/** Errors of the relay's storage engines; codes only, never stored content. */
import { WardlineError } from '../../src/shared/errors';

export type StoreErrorCode =
  /** The engine (Redis) cannot be reached, at start or later. */
  | 'STORE_UNAVAILABLE'
  /** The engine answered with something the relay did not write (a corrupted or foreign entry). */
  | 'STORE_CORRUPT';

export class StoreError extends WardlineError<StoreErrorCode> {}
