/**
 * The desktop store under a realistic volume: 100,000 messages over 91 conversations (one
 * busy conversation of 10,000, the rest 1,000 each), written in the batches a sync or pairing
 * snapshot uses, then full-text search and conversation opening, timed call by call.
 */
import type { AccountStore } from '../../src/main/core/store/account-store';
import type { NewMessage } from '../../src/main/core/store/message-types';
import { DAY_MS } from '../../src/shared/limits';
import { summarize, type Summary } from '../harness/percentiles';
import { messageText, searchQueries, seededRandom } from './clinical-corpus';

export const INSERT_BATCH = 500;

export interface FillResult {
  readonly messages: number;
  readonly ms: number;
  readonly busyConversationId: string;
}

/** Peer account ids for the synthetic conversations (32 hex, as real ids). */
function peer(i: number): string {
  return i.toString(16).padStart(32, '0');
}

export function fillStore(store: AccountStore, total: number, busyConversation: number): FillResult {
  const random = seededRandom(6);
  const own = store.accountId;
  const conversations: string[] = [];
  const sizes: number[] = [];
  const busy = Math.min(busyConversation, total);
  conversations.push(store.conversations.ensureDirect(peer(1)).id);
  sizes.push(busy);
  const perOther = Math.max(1, Math.floor(busy / 10));
  for (let left = total - busy, i = 2; left > 0; left -= perOther, i++) {
    conversations.push(store.conversations.ensureDirect(peer(i)).id);
    sizes.push(Math.min(perOther, left));
  }
  // Spread over the last 20 days so nothing is near the 30-day expiry.
  const now = Date.now();
  const start = now - 20 * DAY_MS;
  const step = (20 * DAY_MS) / total;
  let batch: NewMessage[] = [];
  let n = 0;
  const t0 = performance.now();
  const remaining = [...sizes];
  while (n < total) {
    // Interleave conversations, as messages arrive on a ward.
    const c = Math.floor(random() * conversations.length);
    if (remaining[c]! <= 0) continue;
    remaining[c]!--;
    const incoming = random() < 0.5;
    batch.push({
      id: `bench-${n.toString(16).padStart(12, '0')}`,
      conversationId: conversations[c]!,
      senderAccountId: incoming ? peer(c + 1) : own,
      direction: incoming ? 'in' : 'out',
      body: messageText(random),
      sentAt: Math.floor(start + n * step),
      receivedAt: incoming ? Math.floor(start + n * step) + 200 : null,
      state: incoming ? 'read' : 'delivered',
    });
    n++;
    if (batch.length === INSERT_BATCH) {
      store.messages.insertMany(batch);
      batch = [];
    }
  }
  if (batch.length) store.messages.insertMany(batch);
  return { messages: total, ms: performance.now() - t0, busyConversationId: conversations[0]! };
}

/** Messages arriving one by one (each its own transaction), as live traffic. */
export function insertSingles(store: AccountStore, count: number, conversationId: string): number {
  const random = seededRandom(7);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    store.messages.insert({
      id: `live-${i}`,
      conversationId,
      senderAccountId: peer(1),
      direction: 'in',
      body: messageText(random),
      sentAt: Date.now(),
      receivedAt: Date.now(),
      state: 'delivered',
    });
  }
  return performance.now() - t0;
}

export interface SearchResult {
  readonly all: Summary;
  readonly byKind: Record<string, Summary>;
  readonly hits: number;
}

export function searchBench(store: AccountStore, queries: number): SearchResult {
  const list = searchQueries(queries, seededRandom(8));
  for (const q of list.slice(0, 12)) store.search.search(q.text);
  const all: number[] = [];
  const byKind: Record<string, number[]> = {};
  let hits = 0;
  for (const q of list) {
    const t0 = performance.now();
    hits += store.search.search(q.text, { limit: 50 }).length;
    const ms = performance.now() - t0;
    all.push(ms);
    (byKind[q.kind] ??= []).push(ms);
  }
  return { all: summarize(all), byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summarize(v)])), hits };
}

/** Opening a conversation: its latest page of 50, newest first. Returns per-open timings. */
export function openConversationBench(store: AccountStore, conversationId: string, opens: number): { first: number; warm: Summary } {
  const t0 = performance.now();
  const first = store.messages.page(conversationId, { limit: 50 });
  const firstMs = performance.now() - t0;
  if (first.messages.length === 0) throw new Error('conversation is empty');
  const warm: number[] = [];
  for (let i = 0; i < opens; i++) {
    const t = performance.now();
    store.messages.page(conversationId, { limit: 50 });
    warm.push(performance.now() - t);
  }
  return { first: firstMs, warm: summarize(warm) };
}
