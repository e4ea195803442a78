/**
 * The "Photos and files" library: attachments of stored messages, per conversation or overall,
 * newest first. Reads only the encrypted store's index (names and types are inside SQLCipher).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { MediaItem } from '../../../shared/api';

/** Most items one listing returns. */
export const MEDIA_LIBRARY_PAGE = 500;

interface Row {
  id: string;
  message_id: string;
  conversation_id: string;
  file_name: string;
  mime_type: string;
  size: number;
  direction: 'in' | 'out';
  sent_at: number;
}

export function attachmentKind(mimeType: string): MediaItem['kind'] {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType === 'application/pdf') return 'pdf';
  return 'file';
}

export function mediaItemFromRow(row: Row): MediaItem {
  return {
    id: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    kind: attachmentKind(row.mime_type),
    fileName: row.file_name,
    mimeType: row.mime_type,
    size: row.size,
    direction: row.direction,
    sentAt: row.sent_at,
  };
}

const SELECT = `
  SELECT a.id, a.message_id, m.conversation_id, a.file_name, a.mime_type, a.size, m.direction, m.sent_at
  FROM attachments a JOIN messages m ON m.id = a.message_id`;

export class MediaLibrary {
  readonly #all;
  readonly #inConversation;
  readonly #one;

  constructor(db: Database) {
    this.#all = db.prepare<[number], Row>(`${SELECT} ORDER BY m.sent_at DESC, a.id LIMIT ?`);
    this.#inConversation = db.prepare<[string, number], Row>(`${SELECT} WHERE m.conversation_id = ? ORDER BY m.sent_at DESC, a.id LIMIT ?`);
    this.#one = db.prepare<[string], Row>(`${SELECT} WHERE a.id = ?`);
  }

  list(conversationId?: string): MediaItem[] {
    const rows = conversationId === undefined ? this.#all.all(MEDIA_LIBRARY_PAGE) : this.#inConversation.all(conversationId, MEDIA_LIBRARY_PAGE);
    return rows.map(mediaItemFromRow);
  }

  item(attachmentId: string): MediaItem | null {
    const row = this.#one.get(attachmentId);
    return row ? mediaItemFromRow(row) : null;
  }
}
