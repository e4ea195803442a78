/** Loaded message pages per conversation, kept current by message.added / message.updated. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Message } from '../../shared/api';
import { useWardline } from '../api';
import { useNoticesStore } from './notices';

export interface ConversationMessages {
  messages: Message[];
  nextCursor: string | undefined;
  loading: boolean;
  loaded: boolean;
}

/** Messages fetched per page when a conversation opens or scrolls back. */
export const MESSAGE_PAGE_SIZE = 50;

const byTime = (a: Message, b: Message) => a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Merges by id (a newer copy replaces an older one) and keeps time order. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort(byTime);
}

export const useMessagesStore = defineStore('messages', () => {
  const notices = useNoticesStore();
  const conversations = ref<Record<string, ConversationMessages>>({});
  /** Unsent composer text per conversation; cleared with everything else on lock and logout. */
  const drafts = ref<Record<string, string>>({});
  let stops: (() => void)[] = [];
  const addedListeners = new Set<(message: Message) => void>();

  function entry(conversationId: string): ConversationMessages {
    const existing = conversations.value[conversationId];
    if (existing) return existing;
    conversations.value[conversationId] = { messages: [], nextCursor: undefined, loading: false, loaded: false };
    // Read back through the store so later writes go through Vue's reactive proxy.
    return conversations.value[conversationId];
  }

  function upsert(message: Message): void {
    const e = conversations.value[message.conversationId];
    // Conversations that were never opened load fresh when they are; nothing to patch.
    if (!e) return;
    e.messages = mergeMessages(e.messages, [message]);
  }

  function start(): void {
    stop();
    const api = useWardline();
    stops = [
      api.on('message.added', (m) => {
        upsert(m);
        for (const l of addedListeners) l(m);
      }),
      api.on('message.updated', upsert),
    ];
  }

  function stop(): void {
    for (const s of stops) s();
    stops = [];
  }

  /** Lets the workspace mark an open conversation read when a message arrives in it. */
  function onAdded(listener: (message: Message) => void): () => void {
    addedListeners.add(listener);
    return () => addedListeners.delete(listener);
  }

  async function loadPage(conversationId: string, older: boolean): Promise<void> {
    const e = entry(conversationId);
    if (e.loading || (older && !e.nextCursor)) return;
    e.loading = true;
    try {
      const page = await useWardline().call('messages.page', {
        conversationId,
        limit: MESSAGE_PAGE_SIZE,
        ...(older && e.nextCursor ? { before: e.nextCursor } : {}),
      });
      e.messages = mergeMessages(e.messages, page.messages);
      if (older || !e.loaded) e.nextCursor = page.nextCursor;
      e.loaded = true;
    } catch (error) {
      notices.report(error);
    } finally {
      e.loading = false;
    }
  }

  const open = (conversationId: string) => loadPage(conversationId, false);
  const loadOlder = (conversationId: string) => loadPage(conversationId, true);

  /** Returns false when sending failed (the composer keeps the text). */
  async function send(conversationId: string, text: string): Promise<boolean> {
    try {
      const sent = await useWardline().call('messages.send', { conversationId, text });
      entry(conversationId);
      upsert(sent);
      return true;
    } catch (error) {
      notices.report(error);
      return false;
    }
  }

  async function keep(messageId: string, kept: boolean): Promise<void> {
    try {
      upsert(await useWardline().call('messages.keep', { messageId, kept }));
    } catch (error) {
      notices.report(error);
    }
  }

  function reset(): void {
    stop();
    conversations.value = {};
    drafts.value = {};
  }

  return { conversations, drafts, entry, start, stop, onAdded, open, loadOlder, send, keep, upsert, reset };
});
