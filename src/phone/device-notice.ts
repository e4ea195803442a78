/**
 * Notices the phone shows in a conversation when a contact's devices changed in a way the user
 * should know about: "<name> is using a new phone" (the contact restored the account on a new
 * phone, docs/protocol.md §16). Not a safety-number warning: the identity key is the same (a
 * list under another identity is refused by the account directory). In memory: the headless
 * phone prints them (`listen`); a mobile app would keep them with its conversations.
 */
import type { Clock } from '../shared/clock';
import { phoneDeviceIds, phoneReplaced } from '../shared/backup/phone-change';
import type { DeviceList } from '../shared/protocol/device-list';
import type { AccountId } from '../shared/protocol/ids';
import { PhoneError } from './phone-error';

export interface DeviceNotice {
  readonly accountId: AccountId;
  readonly kind: 'new-phone';
  readonly at: number;
}

/** Most notices kept in memory. */
const NOTICES_MAX = 1000;

export class DeviceNotices {
  readonly #notices: DeviceNotice[] = [];
  readonly #listeners = new Set<(n: DeviceNotice) => void>();

  constructor(private readonly clock: Clock) {}

  get all(): readonly DeviceNotice[] {
    return this.#notices;
  }

  /** For AccountDirectory's `onNewer`: a newer list of a known account under its pinned identity. */
  listReplaced(before: DeviceList, after: DeviceList): void {
    if (!phoneReplaced(phoneDeviceIds(before), after)) return;
    const notice: DeviceNotice = { accountId: after.accountId, kind: 'new-phone', at: this.clock.now() };
    this.#notices.push(notice);
    if (this.#notices.length > NOTICES_MAX) this.#notices.shift();
    for (const l of this.#listeners) l(notice);
  }

  onNotice(listener: (n: DeviceNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  waitFor(accountId: AccountId, timeoutMs: number): Promise<DeviceNotice> {
    const found = this.#notices.find((n) => n.accountId === accountId);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const off = this.onNotice((n) => {
        if (n.accountId !== accountId) return;
        clearTimeout(timer);
        off();
        resolve(n);
      });
      const timer = setTimeout(() => {
        off();
        reject(new PhoneError('TIMEOUT', 'no device notice in time'));
      }, timeoutMs);
    });
  }
}
