import type { Database } from 'better-sqlite3-multiple-ciphers';
import { removeBlobs } from './attachments';

export interface DeletionCounts {
  readonly messages: number;
  readonly attachments: number;
}

export interface MessageDeletion {
  /**
   * Deletes messages with their attachments: rows, full-text entries (by trigger) and blob files.
   * Rows go in one transaction first; files are unlinked after commit (a crash in between leaves
   * orphan blobs whose keys are already gone, removed by the next sweep).
   */
  delete(messageIds: readonly string[]): Promise<DeletionCounts>;
  /** Ids of unkept messages whose retention has passed, oldest first. */
  expiredIds(now: number, limit: number): string[];
  /**
   * Merges the full-text index so deleted entries are physically dropped rather than masked by
   * delete markers; with secure_delete the freed pages are zeroed.
   */
  compactSearchIndex(): void;
}

export function createMessageDeletion(db: Database, attachmentsDir: string): MessageDeletion {
  const attachmentIds = db.prepare<[string], { id: string }>('SELECT id FROM attachments WHERE message_id = ?');
  const deleteMessage = db.prepare('DELETE FROM messages WHERE id = ?');
  const expired = db.prepare<[number, number], { id: string }>(
    'SELECT id FROM messages WHERE kept = 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?',
  );
  const optimize = db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('optimize')`);

  const deleteRows = db.transaction((ids: readonly string[]) => {
    const blobs: string[] = [];
    let messages = 0;
    for (const id of ids) {
      for (const row of attachmentIds.all(id)) blobs.push(row.id);
      messages += deleteMessage.run(id).changes;
    }
    return { messages, blobs };
  });

  return {
    async delete(messageIds) {
      const { messages, blobs } = deleteRows(messageIds);
      await removeBlobs(attachmentsDir, blobs);
      return { messages, attachments: blobs.length };
    },
    expiredIds: (now, limit) => expired.all(now, limit).map((r) => r.id),
    compactSearchIndex: () => void optimize.run(),
  };
}
