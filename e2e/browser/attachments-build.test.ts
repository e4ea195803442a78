/**
 * `npm run build` output for the in-app PDF viewer: PDF.js and its worker are files of our own
 * build (served from the app's origin, allowed by `worker-src 'self'`), loaded only when a PDF is
 * opened, and nothing that would need more from the CSP ships: no scripting sandbox, no
 * WebAssembly, no script or worker loaded from another origin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFreshBuild, OUT_DIR } from './fresh-build';

beforeAll(() => ensureFreshBuild(), 300_000);

const ASSETS = path.join(OUT_DIR, 'renderer', 'assets');
const read = (name: string) => readFileSync(path.join(ASSETS, name), 'utf8');

describe('PDF viewer in the renderer build', () => {
  it('ships the PDF.js worker as its own module file, apart from the app entry', () => {
    const files = readdirSync(ASSETS);
    const workers = files.filter((f) => /^pdf\.worker\.min-[\w-]+\.mjs$/.test(f));
    expect(workers).toHaveLength(1);
    const entry = files.filter((f) => /^index-[\w-]+\.js$/.test(f));
    expect(entry).toHaveLength(1);
    // The entry names the worker and the library chunk but does not contain PDF.js itself.
    const entryCode = read(entry[0]!);
    expect(entryCode).toContain(workers[0]);
    expect(entryCode).not.toContain('pdfjs_internal_id_');
    expect(files.some((f) => /^pdf-[\w-]+\.js$/.test(f) && read(f).includes('pdfjs_internal_id_'))).toBe(true);
  });

  it('ships no scripting sandbox, WebAssembly or font/CMap fetch targets', () => {
    for (const file of readdirSync(path.join(OUT_DIR, 'renderer'), { recursive: true, encoding: 'utf8' })) {
      expect(file).not.toMatch(/sandbox|quickjs|\.wasm$|\.bcmap$|\.pfb$/i);
    }
  });

  it('loads no script or worker from another origin', () => {
    for (const file of readdirSync(ASSETS).filter((f) => /\.m?js$/.test(f))) {
      const code = read(file);
      // URLs in the code are XML namespaces, licence links and feature probes, never loaded:
      // nothing imports, fetches or starts a worker from an absolute http(s) URL.
      expect(code, file).not.toMatch(/(import\s*\(|importScripts\s*\(|new\s+(Shared)?Worker\s*\(|fetch\s*\()\s*["'`]https?:/);
      expect(code, file).not.toMatch(/from\s*["'`]https?:/);
    }
  });
});
