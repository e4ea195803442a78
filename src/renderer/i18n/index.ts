import { createI18n } from 'vue-i18n';
import type { Language } from '../../shared/api';
import { de } from './locales/de';
import { en } from './locales/en';
import { fr } from './locales/fr';
import { nl } from './locales/nl';

export const localeMessages = { en, nl, de, fr } satisfies Record<Language, unknown>;

/** Each language named in itself, so a user can always find their own. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  nl: 'Nederlands',
  de: 'Deutsch',
  fr: 'Français',
};

/** French uses the singular for 0 and 1; the other three only for 1. */
function frenchPlural(choice: number, choicesLength: number): number {
  if (choicesLength < 2) return 0;
  return Math.abs(choice) <= 1 ? 0 : 1;
}

export function createWardlineI18n(locale: Language = 'en') {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: localeMessages,
    pluralRules: { fr: frenchPlural },
    missingWarn: false,
    fallbackWarn: false,
  });
}

export type WardlineI18n = ReturnType<typeof createWardlineI18n>;
