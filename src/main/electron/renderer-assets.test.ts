import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentTypeFor, readRendererAsset, resolveRendererAsset } from './renderer-assets';

const base = mkdtempSync(path.join(tmpdir(), 'wardline-assets-'));
const root = path.join(base, 'renderer');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'export {}');
writeFileSync(path.join(base, 'secret.txt'), 'outside');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveRendererAsset', () => {
  it('maps / to index.html and paths inside the folder to files', () => {
    expect(resolveRendererAsset(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererAsset(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
  });
  it('refuses traversal, encoded traversal, backslashes, NUL and bad escapes', () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..\\secret.txt', '/index.html%00.js', '/%E0%A4%A', '/..']) {
      expect(resolveRendererAsset(root, p), p).toBeUndefined();
    }
  });
});

describe('readRendererAsset', () => {
  it('reads a file with its content type', async () => {
    const asset = await readRendererAsset(root, '/assets/app.js');
    expect(asset?.body.toString()).toBe('export {}');
    expect(asset?.contentType).toBe('text/javascript; charset=utf-8');
  });
  it('returns nothing for missing files, folders and files outside the root', async () => {
    expect(await readRendererAsset(root, '/missing.js')).toBeUndefined();
    expect(await readRendererAsset(root, '/assets')).toBeUndefined();
    expect(await readRendererAsset(root, '/../secret.txt')).toBeUndefined();
  });
  it('serves unknown extensions as opaque bytes', () => {
    expect(contentTypeFor('x.exe')).toBe('application/octet-stream');
    expect(contentTypeFor('x.HTML')).toBe('text/html; charset=utf-8');
  });
});
