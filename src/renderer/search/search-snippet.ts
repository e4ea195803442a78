/** The core marks matched terms with U+0002 … U+0003 in plain text; split it for <mark>, never as HTML. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

const START = '\u0002';
const END = '\u0003';

export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let text = '';
  const flush = () => {
    if (text) parts.push({ text, match });
    text = '';
  };
  for (const ch of snippet) {
    if (ch === START || ch === END) {
      flush();
      match = ch === START;
    } else {
      text += ch;
    }
  }
  flush();
  return parts;
}
