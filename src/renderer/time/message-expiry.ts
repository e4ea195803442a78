import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/limits';

/** "deleted in 12 days / 5 hours / 3 minutes": the coarsest unit that is at least 1. */
export type ExpiryIn =
  | { unit: 'days' | 'hours' | 'minutes'; count: number }
  | { unit: 'kept' }
  | { unit: 'now' };

export function expiryIn(message: { kept: boolean; expiresAt?: number | undefined }, now: number): ExpiryIn {
  if (message.kept || message.expiresAt === undefined) return { unit: 'kept' };
  const left = message.expiresAt - now;
  if (left <= 0) return { unit: 'now' };
  if (left >= DAY_MS) return { unit: 'days', count: Math.floor(left / DAY_MS) };
  if (left >= HOUR_MS) return { unit: 'hours', count: Math.floor(left / HOUR_MS) };
  return { unit: 'minutes', count: Math.max(1, Math.ceil(left / MINUTE_MS)) };
}
