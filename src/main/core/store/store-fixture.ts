/** Test support: a throwaway account store in its own temp directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../../../shared/clock';
import type { AccountId } from '../../../shared/protocol/ids';
import { openAccountStore, type AccountStore } from './account-store';

export interface StoreFixture {
  readonly dataDir: string;
  readonly accountId: AccountId;
  readonly key: Uint8Array;
  readonly clock: FakeClock;
  store: AccountStore;
  reopen(): AccountStore;
  dispose(): void;
}

export function createStoreFixture(): StoreFixture {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-store-'));
  const accountId = randomBytes(16).toString('hex') as AccountId;
  const key = new Uint8Array(randomBytes(32));
  const clock = new FakeClock();
  const open = () => openAccountStore({ dataDir, accountId, key, clock });
  const fixture: StoreFixture = {
    dataDir,
    accountId,
    key,
    clock,
    store: open(),
    reopen() {
      fixture.store.close();
      fixture.store = open();
      return fixture.store;
    },
    dispose() {
      fixture.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

let counter = 0;
/** A unique message id for tests. */
export function messageId(): string {
  counter += 1;
  return `m${String(counter).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
}
