import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import type { MessageDirection } from './message-types';

/** Characters of the last message shown in the conversation list. */
export const PREVIEW_LENGTH = 120;

export interface Conversation {
  readonly id: string;
  readonly kind: 'direct' | 'group';
  readonly peerAccountId: string | null;
  readonly title: string | null;
  readonly createdAt: number;
  readonly lastActivityAt: number;
}

export interface ConversationSummary extends Conversation {
  readonly unread: number;
  readonly lastMessage: { readonly id: string; readonly preview: string; readonly sentAt: number; readonly direction: MessageDirection } | null;
}

export interface Conversations {
  /** The 1:1 conversation with a peer account, created on first use. */
  ensureDirect(peerAccountId: string): Conversation;
  get(id: string): Conversation | null;
  /** Most recent activity first, with unread count and last message preview. */
  list(options?: { limit?: number }): ConversationSummary[];
}

interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  peer_account_id: string | null;
  title: string | null;
  created_at: number;
  last_activity_at: number;
}

interface SummaryRow extends ConversationRow {
  unread: number;
  last_id: string | null;
  last_preview: string | null;
  last_sent_at: number | null;
  last_direction: MessageDirection | null;
}

function fromRow(row: ConversationRow): Conversation {
  return {
    id: row.id,
    kind: row.kind,
    peerAccountId: row.peer_account_id,
    title: row.title,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
  };
}

export function createConversations(db: Database, clock: Clock): Conversations {
  const byPeer = db.prepare<[string], ConversationRow>(`SELECT * FROM conversations WHERE kind = 'direct' AND peer_account_id = ?`);
  const byId = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO conversations (id, kind, peer_account_id, created_at, last_activity_at) VALUES (?, 'direct', ?, ?, ?)`,
  );
  // Each subquery walks one index (messages_page / messages_unread) for one conversation.
  const list = db.prepare<[number], SummaryRow>(`
    SELECT c.*,
      (SELECT count(*) FROM messages u WHERE u.conversation_id = c.id AND u.direction = 'in' AND u.state <> 'read') AS unread,
      l.id AS last_id, substr(l.body, 1, ${PREVIEW_LENGTH}) AS last_preview, l.sent_at AS last_sent_at, l.direction AS last_direction
    FROM conversations c
    LEFT JOIN messages l ON l.seq = (
      SELECT m.seq FROM messages m WHERE m.conversation_id = c.id ORDER BY m.sent_at DESC, m.seq DESC LIMIT 1)
    ORDER BY c.last_activity_at DESC, c.id
    LIMIT ?`);

  const ensureDirect = db.transaction((peerAccountId: string): Conversation => {
    const existing = byPeer.get(peerAccountId);
    if (existing) return fromRow(existing);
    const id = randomBytes(16).toString('hex');
    const now = clock.now();
    insert.run(id, peerAccountId, now, now);
    return fromRow(byId.get(id)!);
  });

  return {
    ensureDirect: (peerAccountId) => ensureDirect(peerAccountId),
    get(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    list(options = {}) {
      return list.all(Math.max(1, Math.min(options.limit ?? 100, 1000))).map((row) => ({
        ...fromRow(row),
        unread: row.unread,
        lastMessage:
          row.last_id === null
            ? null
            : { id: row.last_id, preview: row.last_preview ?? '', sentAt: row.last_sent_at ?? 0, direction: row.last_direction ?? 'in' },
      }));
    },
  };
}
