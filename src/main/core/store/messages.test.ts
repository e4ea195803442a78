import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_RETENTION_MS, MINUTE_MS } from '../../../shared/limits';
import type { NewMessage } from './message-types';
import { createStoreFixture, messageId, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
let conversationId: string;
beforeEach(() => {
  fx = createStoreFixture();
  conversationId = fx.store.conversations.ensureDirect('peer-a').id;
});
afterEach(() => fx.dispose());

function incoming(overrides: Partial<NewMessage> = {}): NewMessage {
  return { id: messageId(), conversationId, senderAccountId: 'peer-a', direction: 'in', body: 'hello', sentAt: fx.clock.now(), state: 'delivered', ...overrides };
}

describe('messages', () => {
  it('insert is idempotent on id: a redelivered message changes nothing', () => {
    const m = incoming({ body: 'first' });
    expect(fx.store.messages.insert(m)).toBe(true);
    expect(fx.store.messages.insert({ ...m, body: 'second' })).toBe(false);
    expect(fx.store.messages.get(m.id)?.body).toBe('first');
  });

  it('insertMany stores a batch in one transaction and skips known ids', () => {
    const known = incoming();
    fx.store.messages.insert(known);
    expect(fx.store.messages.insertMany([known, incoming(), incoming()])).toBe(2);
    expect(() => fx.store.messages.insertMany([incoming(), incoming({ sentAt: -5 })])).toThrow();
    expect(fx.store.messages.page(conversationId).messages).toHaveLength(3);
  });

  it('rejects malformed input and messages for unknown conversations', () => {
    expect(() => fx.store.messages.insert(incoming({ sentAt: -1 }))).toThrow();
    expect(() => fx.store.messages.insert(incoming({ conversationId: 'nope' }))).toThrow(/FOREIGN KEY/);
  });

  it('expires 30 days after the earlier of the claimed send time and our clock', () => {
    const now = fx.clock.now();
    const past = incoming({ sentAt: now - MINUTE_MS });
    const future = incoming({ sentAt: now + 365 * MESSAGE_RETENTION_MS });
    fx.store.messages.insert(past);
    fx.store.messages.insert(future);
    expect(fx.store.messages.get(past.id)?.expiresAt).toBe(now - MINUTE_MS + MESSAGE_RETENTION_MS);
    expect(fx.store.messages.get(future.id)?.expiresAt).toBe(now + MESSAGE_RETENTION_MS);
  });

  it('moves delivery state only forward', () => {
    const m = incoming({ direction: 'out', senderAccountId: 'me', state: 'sending' });
    fx.store.messages.insert(m);
    expect(fx.store.messages.updateState(m.id, 'sent')).toBe(true);
    expect(fx.store.messages.updateState(m.id, 'read')).toBe(true);
    expect(fx.store.messages.updateState(m.id, 'delivered')).toBe(false);
    expect(fx.store.messages.updateState(m.id, 'failed')).toBe(false);
    expect(fx.store.messages.get(m.id)?.state).toBe('read');
    expect(fx.store.messages.updateState('unknown', 'sent')).toBe(false);
  });

  it('counts unread incoming messages per conversation and marks a conversation read', () => {
    const other = fx.store.conversations.ensureDirect('peer-b').id;
    const a1 = incoming();
    const a2 = incoming();
    fx.store.messages.insert(a1);
    fx.store.messages.insert(a2);
    fx.store.messages.insert(incoming({ direction: 'out', senderAccountId: 'me', state: 'sent' }));
    fx.store.messages.insert(incoming({ conversationId: other, senderAccountId: 'peer-b' }));
    expect(fx.store.messages.unreadCounts()).toEqual(new Map([[conversationId, 2], [other, 1]]));
    expect(fx.store.messages.markConversationRead(conversationId).sort()).toEqual([a1.id, a2.id].sort());
    expect(fx.store.messages.markConversationRead(conversationId)).toEqual([]);
    expect(fx.store.messages.unreadCounts()).toEqual(new Map([[other, 1]]));
  });

  it('pages newest first through the whole conversation with a cursor, without gaps or repeats', () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      // Several messages share a send time: the cursor must still be exact.
      const m = incoming({ sentAt: fx.clock.now() + Math.floor(i / 3) });
      ids.push(m.id);
      fx.store.messages.insert(m);
    }
    const seen: string[] = [];
    let page = fx.store.messages.page(conversationId, { limit: 5 });
    for (let guard = 0; guard < 10; guard++) {
      seen.push(...page.messages.map((m) => m.id));
      if (page.older === null) break;
      page = fx.store.messages.page(conversationId, { limit: 5, older: page.older });
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('uses indexes (no table scan, no temp sort) for paging, unread counts and the conversation list', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      fx.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => (r as { detail: string }).detail).join('\n');
    const page = plan(`SELECT * FROM messages m WHERE m.conversation_id = ? AND (m.sent_at, m.seq) < (?, ?) ORDER BY m.sent_at DESC, m.seq DESC LIMIT 50`, 'c', 1, 1);
    expect(page).toMatch(/USING INDEX messages_page/);
    expect(page).not.toMatch(/TEMP B-TREE/);
    const unread = plan(`SELECT conversation_id, count(*) FROM messages WHERE direction = 'in' AND state <> 'read' GROUP BY conversation_id`);
    expect(unread).toMatch(/messages_unread/);
    const expiry = plan(`SELECT id FROM messages WHERE kept = 0 AND expires_at <= ? ORDER BY expires_at LIMIT 10`, 1);
    expect(expiry).toMatch(/messages_expiry/);
  });

  it('keeps and unkeeps a message', () => {
    const m = incoming();
    fx.store.messages.insert(m);
    expect(fx.store.messages.setKept(m.id, true)).toBe(true);
    expect(fx.store.messages.get(m.id)?.kept).toBe(true);
    expect(fx.store.messages.setKept(m.id, false)).toBe(true);
    expect(fx.store.messages.get(m.id)?.kept).toBe(false);
    expect(fx.store.messages.setKept('unknown', true)).toBe(false);
  });
});

describe('conversations', () => {
  it('ensureDirect returns the same conversation for the same peer', () => {
    expect(fx.store.conversations.ensureDirect('peer-a').id).toBe(conversationId);
    expect(fx.store.conversations.get(conversationId)?.peerAccountId).toBe('peer-a');
    expect(fx.store.conversations.get('nope')).toBeNull();
  });

  it('does not let a future send time pin a conversation to the top', () => {
    const b = fx.store.conversations.ensureDirect('peer-b').id;
    fx.store.messages.insert(incoming({ conversationId: b, senderAccountId: 'peer-b', sentAt: fx.clock.now() + 365 * MESSAGE_RETENTION_MS }));
    fx.clock.advance(MINUTE_MS);
    fx.store.messages.insert(incoming());
    expect(fx.store.conversations.list().map((c) => c.peerAccountId)).toEqual(['peer-a', 'peer-b']);
  });

  it('lists by last activity with unread count and a bounded last-message preview', () => {
    const b = fx.store.conversations.ensureDirect('peer-b').id;
    fx.store.conversations.ensureDirect('peer-c');
    fx.clock.advance(1);
    fx.store.messages.insert(incoming({ body: 'older' }));
    fx.clock.advance(1);
    fx.store.messages.insert(incoming({ conversationId: b, senderAccountId: 'peer-b', body: 'x'.repeat(500) }));
    fx.clock.advance(1);
    fx.store.messages.insert(incoming({ body: 'latest in a' }));
    const list = fx.store.conversations.list();
    expect(list.map((c) => c.peerAccountId)).toEqual(['peer-a', 'peer-b', 'peer-c']);
    expect(list[0]).toMatchObject({ unread: 2, lastMessage: { preview: 'latest in a', direction: 'in' } });
    expect(list[1]!.lastMessage!.preview).toHaveLength(120);
    expect(list[2]!.lastMessage).toBeNull();
  });
});

describe('contacts', () => {
  const key = (n: number) => new Uint8Array(32).fill(n);

  it('upserts and flags a changed identity key (clearing verification)', () => {
    expect(fx.store.contacts.upsert({ accountId: 'peer-a', displayName: 'Dr A', profession: 'Cardiology', identityKey: key(1) })).toEqual({ created: true, identityKeyChanged: false });
    expect(fx.store.contacts.setVerified('peer-a', true)).toBe(true);
    expect(fx.store.contacts.upsert({ accountId: 'peer-a', displayName: 'Dr A.', identityKey: key(1) }).identityKeyChanged).toBe(false);
    expect(fx.store.contacts.get('peer-a')).toMatchObject({ displayName: 'Dr A.', verified: true, safetyNumberChanged: false });
    expect(fx.store.contacts.upsert({ accountId: 'peer-a', displayName: 'Dr A.', identityKey: key(2) }).identityKeyChanged).toBe(true);
    expect(fx.store.contacts.get('peer-a')).toMatchObject({ verified: false, safetyNumberChanged: true, identityKey: key(2) });
    expect(fx.store.contacts.acknowledgeSafetyNumberChange('peer-a')).toBe(true);
    expect(fx.store.contacts.get('peer-a')?.safetyNumberChanged).toBe(false);
  });

  it('validates input', () => {
    expect(() => fx.store.contacts.upsert({ accountId: 'x', displayName: '', identityKey: key(1) })).toThrow();
    expect(() => fx.store.contacts.upsert({ accountId: 'x', displayName: 'X', identityKey: new Uint8Array(31) })).toThrow();
    expect(fx.store.contacts.get('x')).toBeNull();
  });
});

describe('protocol state and settings', () => {
  it('keeps opaque sessions and consumes one-time prekeys once', () => {
    const ps = fx.store.protocolState;
    ps.putSession('peer-a', 'dev-1', new Uint8Array([1, 2, 3]));
    ps.putSession('peer-a', 'dev-1', new Uint8Array([4]));
    expect(ps.getSession('peer-a', 'dev-1')).toEqual(new Uint8Array([4]));
    expect(ps.deleteSessions('peer-a')).toBe(1);
    expect(ps.getSession('peer-a', 'dev-1')).toBeNull();
    ps.putOneTimePrekey(7, new Uint8Array([9, 9]));
    expect(ps.oneTimePrekeyCount()).toBe(1);
    expect(ps.takeOneTimePrekey(7)).toEqual(new Uint8Array([9, 9]));
    expect(ps.takeOneTimePrekey(7)).toBeNull();
  });

  it('detects a replayed envelope id until its window ends', () => {
    const ps = fx.store.protocolState;
    const now = fx.clock.now();
    expect(ps.markEnvelopeProcessed('env-1', now + 1000)).toBe(true);
    expect(ps.markEnvelopeProcessed('env-1', now + 1000)).toBe(false);
    expect(ps.expireProcessedEnvelopes(now + 999)).toBe(0);
    expect(ps.expireProcessedEnvelopes(now + 1000)).toBe(1);
  });

  it('stores settings', () => {
    fx.store.settings.set('k', 'v1');
    fx.store.settings.set('k', 'v2');
    expect(fx.store.settings.get('k')).toBe('v2');
    expect(fx.store.settings.delete('k')).toBe(true);
    expect(fx.store.settings.get('k')).toBeNull();
  });
});
