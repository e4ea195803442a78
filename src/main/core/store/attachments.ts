import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import type { Clock } from '../../../shared/clock';
import { readBlob, writeBlob } from './attachment-blob';
import { StoreError } from './store-error';

export const zAttachmentInput = z.object({
  messageId: z.string().min(1).max(128),
  fileName: z.string().min(1).max(255),
  mimeType: z.string().min(1).max(255),
});
export type AttachmentInput = z.input<typeof zAttachmentInput>;

export interface AttachmentMeta {
  readonly id: string;
  readonly messageId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  /** SHA-256 of the plaintext. */
  readonly digest: Uint8Array;
  readonly createdAt: number;
}

export interface Attachments {
  /** Encrypts the content into a new blob and records it for the (existing) message. */
  add(input: AttachmentInput, content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<AttachmentMeta>;
  get(id: string): AttachmentMeta | null;
  forMessage(messageId: string): AttachmentMeta[];
  /** Streams the decrypted content; throws StoreError('BLOB_CORRUPT') if the blob was tampered with. */
  open(id: string): AsyncGenerator<Uint8Array>;
  read(id: string): Promise<Uint8Array>;
  /** Removes blob files whose attachment row is gone (e.g. after a crash between commit and unlink). */
  removeOrphanBlobs(): Promise<number>;
}

interface AttachmentRow {
  id: string;
  message_id: string;
  file_name: string;
  mime_type: string;
  size: number;
  blob_key: Buffer;
  blob_digest: Buffer;
  created_at: number;
}

const BLOB_SUFFIX = '.blob';

export function blobPath(attachmentsDir: string, attachmentId: string): string {
  return join(attachmentsDir, `${attachmentId}${BLOB_SUFFIX}`);
}

/** Deletes the blob files of attachments whose rows were just deleted. Missing files are fine. */
export async function removeBlobs(attachmentsDir: string, attachmentIds: readonly string[]): Promise<void> {
  for (const id of attachmentIds) await rm(blobPath(attachmentsDir, id), { force: true });
}

function metaFromRow(row: AttachmentRow): AttachmentMeta {
  return {
    id: row.id,
    messageId: row.message_id,
    fileName: row.file_name,
    mimeType: row.mime_type,
    size: row.size,
    digest: new Uint8Array(row.blob_digest),
    createdAt: row.created_at,
  };
}

export function createAttachments(db: Database, attachmentsDir: string, clock: Clock): Attachments {
  const byId = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE id = ?');
  const byMessage = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE message_id = ? ORDER BY created_at, id');
  const messageExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM messages WHERE id = ?');
  const insert = db.prepare(`
    INSERT INTO attachments (id, message_id, file_name, mime_type, size, blob_key, blob_digest, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const existingIds = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM attachments WHERE id = ?');
  // Blobs being written right now: not orphans yet, whatever the database says.
  const inFlight = new Set<string>();

  async function* open(id: string): AsyncGenerator<Uint8Array> {
    const row = byId.get(id);
    if (!row) throw new StoreError('NOT_FOUND', 'no such attachment');
    yield* readBlob(blobPath(attachmentsDir, id), new Uint8Array(row.blob_key), new Uint8Array(row.blob_digest));
  }

  return {
    async add(input, content) {
      const a = zAttachmentInput.parse(input);
      if (!messageExists.get(a.messageId)) throw new StoreError('NOT_FOUND', 'no such message');
      const id = randomBytes(16).toString('hex');
      const key = new Uint8Array(randomBytes(32));
      const path = blobPath(attachmentsDir, id);
      inFlight.add(id);
      try {
        const { size, digest } = await writeBlob(path, key, content);
        const createdAt = clock.now();
        try {
          // The message may have expired or been deleted while the blob was being written.
          insert.run(id, a.messageId, a.fileName, a.mimeType, size, key, digest, createdAt);
        } catch (error) {
          await rm(path, { force: true });
          throw messageExists.get(a.messageId) ? error : new StoreError('NOT_FOUND', 'message deleted during write', { cause: error });
        }
        return { id, messageId: a.messageId, fileName: a.fileName, mimeType: a.mimeType, size, digest, createdAt };
      } finally {
        key.fill(0);
        inFlight.delete(id);
      }
    },
    get(id) {
      const row = byId.get(id);
      return row ? metaFromRow(row) : null;
    },
    forMessage: (messageId) => byMessage.all(messageId).map(metaFromRow),
    open,
    async read(id) {
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const part of open(id)) {
        parts.push(part);
        total += part.length;
      }
      const out = new Uint8Array(total);
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
    async removeOrphanBlobs() {
      let removed = 0;
      for (const name of await readdir(attachmentsDir)) {
        const id = name.replace(/\.blob(\.part)?$/, '');
        if (inFlight.has(id)) continue;
        if (name.endsWith(BLOB_SUFFIX) && existingIds.get(id)) continue;
        await rm(join(attachmentsDir, name), { force: true });
        removed++;
      }
      return removed;
    },
  };
}
