/** The chat list, the open conversation, and full-text search over messages. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ConversationSummary, SearchHit } from '../../shared/api';
import { useWardline } from '../api';
import { useNoticesStore } from './notices';

export const useConversationsStore = defineStore('conversations', () => {
  const notices = useNoticesStore();
  const list = ref<ConversationSummary[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  /** A search hit the conversation view should scroll to once it is loaded. */
  const focusMessageId = ref<string | null>(null);
  const query = ref('');
  const results = ref<SearchHit[] | null>(null);
  const searching = ref(false);
  let searchSeq = 0;
  let stops: (() => void)[] = [];

  const sorted = computed(() => [...list.value].sort((a, b) => b.updatedAt - a.updatedAt));
  const selected = computed(() => list.value.find((c) => c.id === selectedId.value) ?? null);

  let loading: Promise<void> | null = null;
  let again = false;

  /** Bursts of events (a backlog arriving after a reconnect) cost one list call in flight plus one after. */
  async function load(): Promise<void> {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        try {
          list.value = await useWardline().call('conversations.list', {});
          loaded.value = true;
        } catch (error) {
          notices.report(error);
        }
      } while (again);
    })();
    try {
      await loading;
    } finally {
      loading = null;
    }
  }

  async function start(): Promise<void> {
    stop();
    const api = useWardline();
    // A new message changes the preview, time and unread count even if the core sends no
    // conversations.changed with it.
    stops = [api.on('conversations.changed', () => void load()), api.on('message.added', () => void load())];
    await load();
  }

  function stop(): void {
    for (const s of stops) s();
    stops = [];
  }

  function select(id: string | null, messageId: string | null = null): void {
    selectedId.value = id;
    focusMessageId.value = messageId;
  }

  async function markRead(id: string): Promise<void> {
    const conversation = list.value.find((c) => c.id === id);
    if (!conversation || conversation.unread === 0) return;
    // Optimistic: the badge clears at once; conversations.changed brings the truth.
    list.value = list.value.map((c) => (c.id === id ? { ...c, unread: 0 } : c));
    try {
      await useWardline().call('conversations.markRead', { conversationId: id });
    } catch (error) {
      notices.report(error);
    }
  }

  async function acknowledgeSafetyNumber(id: string): Promise<void> {
    try {
      await useWardline().call('conversations.acknowledgeSafetyNumber', { conversationId: id });
      list.value = list.value.map((c) => (c.id === id ? { ...c, safetyNumberChanged: false } : c));
    } catch (error) {
      notices.report(error);
    }
  }

  /** Only the latest query's answer is kept, so fast typing never shows stale hits. */
  async function search(text: string): Promise<void> {
    query.value = text;
    const trimmed = text.trim();
    const seq = ++searchSeq;
    if (!trimmed) {
      results.value = null;
      searching.value = false;
      return;
    }
    searching.value = true;
    try {
      const hits = await useWardline().call('messages.search', { query: trimmed });
      if (seq === searchSeq) results.value = hits;
    } catch (error) {
      if (seq === searchSeq) results.value = [];
      notices.report(error);
    } finally {
      if (seq === searchSeq) searching.value = false;
    }
  }

  function clearSearch(): void {
    void search('');
  }

  /** Drops everything; a lock keeps only which conversation was open (an id, no content). */
  function reset(keepSelection = false): void {
    stop();
    list.value = [];
    loaded.value = false;
    if (!keepSelection) selectedId.value = null;
    focusMessageId.value = null;
    query.value = '';
    results.value = null;
  }

  return {
    list, loaded, selectedId, focusMessageId, query, results, searching, sorted, selected,
    load, start, stop, select, markRead, acknowledgeSafetyNumber, search, clearSearch, reset,
  };
});
