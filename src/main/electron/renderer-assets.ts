/**
 * Reads a file of the built renderer (`out/renderer`) for a request path, refusing anything
 * outside that folder. Used by Electron's `app://` protocol and by the loopback web host, so
 * both serve the same files the same way.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file a URL path names inside `rootDir`, or undefined for traversal and malformed paths. */
export function resolveRendererAsset(rootDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rootDir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return undefined;
  return file;
}

export interface RendererAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export async function readRendererAsset(rootDir: string, urlPath: string): Promise<RendererAsset | undefined> {
  const file = resolveRendererAsset(rootDir, urlPath);
  if (file === undefined) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return { body: await readFile(file), contentType: contentTypeFor(file) };
  } catch {
    return undefined;
  }
}
