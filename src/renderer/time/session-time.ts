import { SESSION_WARNING_MS } from '../../shared/limits';

export interface DurationParts {
  hours: number;
  minutes: number;
  seconds: number;
}

/** Whole hours, minutes and seconds of a non-negative duration (rounded up to the second). */
export function splitDuration(ms: number): DurationParts {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return { hours: Math.floor(total / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
}

export interface SessionTimeLeft extends DurationParts {
  ms: number;
  /** Inside the last SESSION_WARNING_MS: the indicator turns amber and says so. */
  warning: boolean;
  expired: boolean;
}

export function sessionTimeLeft(endsAt: number, now: number): SessionTimeLeft {
  const ms = Math.max(0, endsAt - now);
  return { ms, ...splitDuration(ms), warning: ms <= SESSION_WARNING_MS, expired: ms === 0 };
}

/** "4:59" or "1:02:03": a countdown a nurse reads at a glance. */
export function formatCountdown(ms: number): string {
  const { hours, minutes, seconds } = splitDuration(ms);
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
