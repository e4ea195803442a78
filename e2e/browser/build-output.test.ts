/**
 * `npm run build` output checks: the preload is CommonJS (a sandboxed renderer cannot load an
 * ESM preload) and the renderer carries the strict CSP and loads nothing remote.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/shared/content-security-policy';
import { ensureFreshBuild, OUT_DIR } from './fresh-build';

beforeAll(() => ensureFreshBuild(), 300_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('npm run build', () => {
  it('emits the main process as ESM at package.json "main"', () => {
    const pkg = JSON.parse(readFileSync(path.join(OUT_DIR, '..', 'package.json'), 'utf8')) as { main: string };
    expect(existsSync(path.join(OUT_DIR, '..', pkg.main))).toBe(true);
  });

  it('emits the preload as one CommonJS file that requires electron', () => {
    const files = readdirSync(path.join(OUT_DIR, 'preload'));
    expect(files).toEqual(['index.cjs']);
    const code = readFileSync(path.join(OUT_DIR, 'preload', 'index.cjs'), 'utf8');
    expect(code).toMatch(/require\(["']electron["']\)/);
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    expect(code).not.toMatch(/\bimport\s*\(/);
    // Only electron may be required in a sandboxed preload; everything else is bundled.
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).toContain('exposeInMainWorld("wardline"');
  });

  it('gives the renderer the strict CSP meta and relative asset URLs', () => {
    const html = readFileSync(path.join(OUT_DIR, 'renderer', 'index.html'), 'utf8');
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)].map((m) => m[1]);
    expect(metas).toEqual([contentSecurityPolicy({ delivery: 'meta' })]);
    expect(metas[0]).toContain("default-src 'none'");
    expect(metas[0]).not.toContain('unsafe-inline');
    expect(metas[0]).not.toContain('unsafe-eval');
    // No inline scripts: every script is an external file from our own folder.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body!.trim()).toBe('');
      expect(attrs).toMatch(/src="\.\//);
    }
    expect(html).not.toMatch(/\sstyle="/i);
    expect(html).not.toMatch(/<style\b/i);
  });

  it('loads no remote URL from any renderer file', () => {
    for (const file of filesUnder(path.join(OUT_DIR, 'renderer'))) {
      if (!/\.(html|css)$/.test(file)) continue;
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
      expect(text, file).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
      expect(text, file).not.toMatch(/@import\s+["']?(url\()?\s*["']?https?:/i);
    }
  });
});
