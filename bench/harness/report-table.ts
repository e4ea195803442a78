/** Plain-text tables for the terminal (and pasted into docs/performance.md as Markdown). */
import { formatNumber, formatTarget, verdict, type Measurement } from './measurement';

const HEADERS = ['case', 'metric', 'value', 'target', 'result'] as const;

function cells(m: Measurement): string[] {
  const value = `${formatNumber(m.value)} ${m.unit}`.trim();
  return [m.case, m.metric, m.note ? `${value} (${m.note})` : value, formatTarget(m.target, m.unit), verdict(m)];
}

export function renderTable(title: string, rows: readonly Measurement[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`== ${title} ==`, line(HEADERS), rule, ...body.map(line)].join('\n');
}

export function renderMarkdown(rows: readonly Measurement[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const out = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((_, i) => (i === 2 ? '---:' : '---')).join('|')}|`];
  for (const r of rows) out.push(`| ${cells(r).map(esc).join(' | ')} |`);
  return out.join('\n');
}
