/** Every translation key the UI uses exists (in English, and so in all four languages by completeness.test.ts). */
import { describe, expect, it } from 'vitest';
import { en } from './locales/en';

declare global {
  interface ImportMeta {
    glob(pattern: string | string[], options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
  }
}

const sources = import.meta.glob(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts', '!../i18n/**'], { query: '?raw', import: 'default', eager: true });

function lookup(path: string): unknown {
  let node: unknown = en;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

describe('translation keys used by the UI', () => {
  it('finds the sources', () => {
    expect(Object.keys(sources).some((p) => p.endsWith('App.vue'))).toBe(true);
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  it('resolves every literal key to a text', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [file, text] of Object.entries(sources)) {
      for (const match of text.matchAll(/\bt\(\s*'([\w.]+)'/g)) {
        checked += 1;
        if (typeof lookup(match[1]!) !== 'string') missing.push(`${file}: ${match[1]!}`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(80);
  });

  it('resolves every dynamic key prefix to a group of texts', () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const match of text.matchAll(/\bt\(\s*`([\w.]+)\.\$\{/g)) {
        const group = lookup(match[1]!);
        if (typeof group !== 'object' || group === null) missing.push(`${file}: ${match[1]!}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
