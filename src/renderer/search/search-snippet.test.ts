import { describe, expect, it } from 'vitest';
import { snippetParts } from './search-snippet';

describe('snippetParts', () => {
  it('splits marked terms', () => {
    expect(snippetParts('dose of \u0002insulin\u0003 at \u0002noon\u0003')).toEqual([
      { text: 'dose of ', match: false },
      { text: 'insulin', match: true },
      { text: ' at ', match: false },
      { text: 'noon', match: true },
    ]);
  });
  it('keeps markup-looking text as plain text', () => {
    expect(snippetParts('<b>\u0002x\u0003</b>')).toEqual([
      { text: '<b>', match: false },
      { text: 'x', match: true },
      { text: '</b>', match: false },
    ]);
  });
  it('tolerates unbalanced or missing markers', () => {
    expect(snippetParts('plain')).toEqual([{ text: 'plain', match: false }]);
    expect(snippetParts('\u0003a\u0002b')).toEqual([
      { text: 'a', match: false },
      { text: 'b', match: true },
    ]);
    expect(snippetParts('')).toEqual([]);
  });
});
