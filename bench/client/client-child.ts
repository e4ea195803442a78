/**
 * One client benchmark in a fresh Node process, so memory figures are that process's own.
 * Prints "RESULT <json>" on its last line.
 *
 *   node --import tsx bench/client/client-child.ts ratchet <messages>
 *   node --import tsx bench/client/client-child.ts store <total> <busy> <singles> <queries> <opens>
 *   node --import tsx bench/client/client-child.ts desktop-rss <busyConversationId>
 * The store location and key come from WARDLINE_BENCH_STORE_DIR / _ACCOUNT / _KEY (hex).
 */
import { openAccountStore } from '../../src/main/core/store/account-store';
import { hexToBytes } from '../../src/shared/bytes';
import { systemClock } from '../../src/shared/clock';
import type { AccountId } from '../../src/shared/protocol/ids';
import { guardAgainstOrphaning } from '../load/orphan-guard';
import { ratchetBench } from './ratchet-bench';
import { fillStore, insertSingles, openConversationBench, searchBench } from './store-bench';

guardAgainstOrphaning(10 * 60 * 1000);

function openStore() {
  const dataDir = process.env.WARDLINE_BENCH_STORE_DIR;
  const accountId = process.env.WARDLINE_BENCH_STORE_ACCOUNT;
  const key = process.env.WARDLINE_BENCH_STORE_KEY;
  if (!dataDir || !accountId || !key) throw new Error('store location not given');
  return openAccountStore({ dataDir, accountId: accountId as AccountId, key: hexToBytes(key), clock: systemClock });
}

async function main(): Promise<unknown> {
  const [mode, ...args] = process.argv.slice(2);
  const n = args.map(Number);
  switch (mode) {
    case 'ratchet':
      return ratchetBench(n[0]!, 1024);
    case 'store': {
      const store = openStore();
      try {
        const fill = fillStore(store, n[0]!, n[1]!);
        const singlesMs = insertSingles(store, n[2]!, fill.busyConversationId);
        const search = searchBench(store, n[3]!);
        const open = openConversationBench(store, fill.busyConversationId, n[4]!);
        return { fill, singles: n[2]!, singlesMs, search, open };
      } finally {
        store.close();
      }
    }
    case 'desktop-rss': {
      // What a desktop holds once it has opened the store, listed conversations, opened one and searched.
      const before = process.memoryUsage().rss;
      const t0 = performance.now();
      const store = openStore();
      const openStoreMs = performance.now() - t0;
      const t1 = performance.now();
      const conversations = store.conversations.list({ limit: 100 });
      const listMs = performance.now() - t1;
      const t2 = performance.now();
      const page = store.messages.page(args[0]!, { limit: 50 });
      const firstOpenMs = performance.now() - t2;
      store.search.search('bloods');
      const rss = process.memoryUsage().rss;
      store.close();
      return { rssBeforeKiB: before / 1024, rssKiB: rss / 1024, openStoreMs, listMs, conversations: conversations.length, firstOpenMs, page: page.messages.length };
    }
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

main().then(
  (result) => {
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
