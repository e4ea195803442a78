/** Dates, times and sizes in the user's language, via Intl (no hand-made formats). */
import { DAY_MS } from '../../shared/limits';
import { startOfLocalDay } from './day-groups';

/**
 * The Intl locale for a UI language. English means European English here: 24-hour times and
 * day-month dates, like the wards the product serves.
 */
export function intlLocale(language: string): string {
  return language === 'en' ? 'en-GB' : language;
}

export function formatTime(at: number, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { hour: '2-digit', minute: '2-digit' }).format(at);
}

export function formatDay(dayStart: number, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(dayStart);
}

export function formatDateTime(at: number, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** Chat list: the time today, the weekday within the last week, the date before that. */
export function formatListTime(at: number, now: number, locale: string): string {
  const day = startOfLocalDay(at);
  const today = startOfLocalDay(now);
  if (day === today) return formatTime(at, locale);
  if (day > today - 6 * DAY_MS && day < today) return new Intl.DateTimeFormat(intlLocale(locale), { weekday: 'short' }).format(at);
  return new Intl.DateTimeFormat(intlLocale(locale), { day: 'numeric', month: 'short', year: '2-digit' }).format(at);
}

export function formatSize(bytes: number, locale: string): string {
  const [value, unit] =
    bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
  return new Intl.NumberFormat(intlLocale(locale), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}
