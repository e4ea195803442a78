import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import { MESSAGE_RETENTION_MS } from '../../../shared/limits';
import {
  messageFromRow,
  zNewMessage,
  type MessageCursor,
  type MessagePage,
  type MessageRow,
  type MessageState,
  type NewMessage,
  type StoredMessage,
} from './message-types';

const SELECT_MESSAGE = `
  SELECT m.*, (SELECT group_concat(a.id) FROM attachments a WHERE a.message_id = m.id) AS attachment_ids
  FROM messages m`;

/** Delivery states only move forward; a late 'delivered' receipt never undoes 'read'. */
const STATE_RANK_SQL = `CASE state WHEN 'sending' THEN 0 WHEN 'failed' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 ELSE 4 END`;
const STATE_RANK: Record<MessageState, number> = { sending: 0, failed: 1, sent: 2, delivered: 3, read: 4 };

export const MAX_PAGE_SIZE = 500;

export interface Messages {
  /** Idempotent on id: returns false (and changes nothing) when the id is already stored. */
  insert(message: NewMessage): boolean;
  /** Many at once in one transaction (pairing snapshot, sync); returns how many were new. */
  insertMany(messages: readonly NewMessage[]): number;
  get(id: string): StoredMessage | null;
  /** Moves a message's delivery state forward; returns false if unknown or not a forward move. */
  updateState(id: string, state: MessageState): boolean;
  /** Marks every unread incoming message of the conversation read; returns their ids (for read receipts). */
  markConversationRead(conversationId: string): string[];
  unreadCounts(): Map<string, number>;
  /** Newest first. Pass `older` from the previous page to continue; uses an index, never OFFSET. */
  page(conversationId: string, options?: { limit?: number; older?: MessageCursor | null }): MessagePage;
  /** Kept messages are exempt from the 30-day expiry. Returns false if the id is unknown. */
  setKept(id: string, kept: boolean): boolean;
}

export function createMessages(db: Database, clock: Clock): Messages {
  const insertStmt = db.prepare(`
    INSERT INTO messages (id, conversation_id, sender_account_id, sender_device_id, direction, body,
                          sent_at, received_at, state, expires_at)
    VALUES (@id, @conversationId, @senderAccountId, @senderDeviceId, @direction, @body,
            @sentAt, @receivedAt, @state, @expiresAt)
    ON CONFLICT (id) DO NOTHING`);
  const touchConversation = db.prepare(
    'UPDATE conversations SET last_activity_at = max(last_activity_at, ?) WHERE id = ?',
  );
  const getStmt = db.prepare<[string], MessageRow>(`${SELECT_MESSAGE} WHERE m.id = ?`);
  const updateStateStmt = db.prepare(`UPDATE messages SET state = ? WHERE id = ? AND ${STATE_RANK_SQL} < ?`);
  const unreadIdsStmt = db.prepare<[string], { id: string }>(
    `SELECT id FROM messages WHERE conversation_id = ? AND direction = 'in' AND state <> 'read'`,
  );
  const markReadStmt = db.prepare(
    `UPDATE messages SET state = 'read' WHERE conversation_id = ? AND direction = 'in' AND state <> 'read'`,
  );
  const unreadStmt = db.prepare<[], { conversation_id: string; n: number }>(
    `SELECT conversation_id, count(*) AS n FROM messages WHERE direction = 'in' AND state <> 'read' GROUP BY conversation_id`,
  );
  const latestStmt = db.prepare<[string, number], MessageRow>(
    `${SELECT_MESSAGE} WHERE m.conversation_id = ? ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`,
  );
  const olderStmt = db.prepare<[string, number, number, number], MessageRow>(
    `${SELECT_MESSAGE} WHERE m.conversation_id = ? AND (m.sent_at, m.seq) < (?, ?)
     ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`,
  );
  const keptStmt = db.prepare('UPDATE messages SET kept = ? WHERE id = ?');

  const insertTx = db.transaction((message: NewMessage): boolean => {
    const m = zNewMessage.parse(message);
    // Retention counts from the earlier of the sender's claim and our own clock, so a sender
    // with a clock far in the future cannot make a message outlive the 30 days.
    const countedFrom = Math.min(m.sentAt, clock.now());
    const inserted = insertStmt.run({ ...m, expiresAt: countedFrom + MESSAGE_RETENTION_MS }).changes === 1;
    // Same clamp for the conversation order: a future timestamp cannot pin a chat to the top.
    if (inserted) touchConversation.run(countedFrom, m.conversationId);
    return inserted;
  });

  const insertManyTx = db.transaction((messages: readonly NewMessage[]): number => {
    let inserted = 0;
    for (const message of messages) if (insertTx(message)) inserted++;
    return inserted;
  });

  const markReadTx = db.transaction((conversationId: string): string[] => {
    const ids = unreadIdsStmt.all(conversationId).map((r) => r.id);
    markReadStmt.run(conversationId);
    return ids;
  });

  return {
    insert: (message) => insertTx(message),
    insertMany: (messages) => insertManyTx(messages),
    get(id) {
      const row = getStmt.get(id);
      return row ? messageFromRow(row) : null;
    },
    updateState: (id, state) => updateStateStmt.run(state, id, STATE_RANK[state]).changes === 1,
    markConversationRead: (conversationId) => markReadTx(conversationId),
    unreadCounts: () => new Map(unreadStmt.all().map((r) => [r.conversation_id, r.n])),
    page(conversationId, options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 50, MAX_PAGE_SIZE));
      const older = options.older ?? null;
      const rows =
        older === null
          ? latestStmt.all(conversationId, limit)
          : olderStmt.all(conversationId, older.sentAt, older.seq, limit);
      const last = rows.length === limit ? rows[rows.length - 1] : undefined;
      return {
        messages: rows.map(messageFromRow),
        older: last ? { sentAt: last.sent_at, seq: last.seq } : null,
      };
    },
    setKept: (id, kept) => keptStmt.run(kept ? 1 : 0, id).changes === 1,
  };
}
