/** The phone CLI's file side of attachments: read a file to send, save a received one. */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AttachmentContent } from '../shared/messages/attachment-content';
import type { PhoneFile } from './attachment-sending';

const TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
};

export function mimeTypeFor(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export async function readPhoneFile(path: string, mimeType?: string): Promise<PhoneFile> {
  return { bytes: new Uint8Array(await readFile(path)), fileName: basename(path), mimeType: mimeType ?? mimeTypeFor(path) };
}

/** Saves under `<dir>/<messageId>-<file name>`; the name is a bare name (the content schema refuses paths). */
export async function savePhoneFile(dir: string, content: AttachmentContent, bytes: Uint8Array): Promise<string> {
  const path = join(dir, `${content.id}-${basename(content.fileName)}`);
  await writeFile(path, bytes, { mode: 0o600 });
  return path;
}
