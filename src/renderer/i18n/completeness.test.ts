import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, LANGUAGES } from '../../shared/api';
import type { UiErrorCode } from '../api';
import { createWardlineI18n, localeMessages } from '.';
import { en } from './locales/en';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const pluralForms = (text: string) => text.split('|').length;

describe('i18n completeness', () => {
  const reference = leaves(en);

  it('covers exactly the four product languages', () => {
    expect(Object.keys(localeMessages).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES) {
    describe(language, () => {
      const messages = leaves(localeMessages[language]);

      it('has every key of the reference and no extra key', () => {
        expect([...messages.keys()].sort()).toEqual([...reference.keys()].sort());
      });

      it('uses the same placeholders and plural forms as the reference, and no empty text', () => {
        for (const [key, text] of reference) {
          const translated = messages.get(key) ?? '';
          expect(translated.trim(), key).not.toBe('');
          expect(placeholders(translated), key).toEqual(placeholders(text));
          expect(pluralForms(translated), key).toBe(pluralForms(text));
          // "@" would be read as a linked message by vue-i18n and break the text.
          expect(translated, key).not.toMatch(/@/);
        }
      });

      it('translates every API error code and the two bridge failures', () => {
        const codes: UiErrorCode[] = [...API_ERROR_CODES, 'BRIDGE_UNAVAILABLE', 'UNEXPECTED'];
        for (const code of codes) expect(messages.get(`errors.${code}`), code).toBeTruthy();
      });

      it('renders through vue-i18n, including plurals', () => {
        const i18n = createWardlineI18n(language);
        const { t } = i18n.global;
        expect(t('pairing.sessionNote', { hours: 6 })).toContain('6');
        const one = t('message.expiresDays', { n: 1 }, 1);
        const many = t('message.expiresDays', { n: 12 }, 12);
        expect(one).toContain('1');
        expect(many).toContain('12');
        expect(one).not.toContain('|');
        expect(many).not.toBe(one.replace('1', '12'));
      });
    });
  }

  it('is not English where it should not be', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const messages = leaves(localeMessages[language]);
      const same = [...reference].filter(([key, text]) => messages.get(key) === text && !/^(app\.name|.*PIN.*|chats\.title|header\.menu|notifications)$/.test(key));
      // A handful of words are the same in several languages ("Chats", "PIN", "Image"); flag only a real gap.
      expect(same.length, `${language}: ${same.map(([k]) => k).join(', ')}`).toBeLessThan(6);
    }
  });
});
