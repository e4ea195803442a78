/**
 * Other accounts' device lists as the phone knows them: fetched from the relay, verified, and
 * pinned to the identity key first seen (trust on first use); a list never goes back in version.
 */
import { ProtocolError } from '../shared/errors';
import { verifyDeviceList, type DeviceList } from '../shared/protocol/device-list';
import type { AccountId } from '../shared/protocol/ids';
import type { RelayClient } from '../shared/wire/relay-client';
import type { KnownAccount } from './phone-state';

export class AccountDirectory {
  readonly #known: Record<string, KnownAccount>;
  readonly #cache = new Map<AccountId, DeviceList>();
  readonly #onChange: () => void;
  readonly #onNewer: (before: DeviceList, after: DeviceList) => void;

  /** `onNewer`: a known account published a newer list under its pinned identity (device-notice.ts). */
  constructor(known: Record<string, KnownAccount>, onChange: () => void, onNewer: (before: DeviceList, after: DeviceList) => void = () => undefined) {
    this.#known = known;
    this.#onChange = onChange;
    this.#onNewer = onNewer;
  }

  /** The last verified list, without asking the relay. */
  cached(accountId: AccountId): DeviceList | undefined {
    const hit = this.#cache.get(accountId);
    if (hit) return hit;
    const known = this.#known[accountId];
    if (!known) return undefined;
    const list = verifyDeviceList(known.list, { identityKey: known.identityKey });
    this.#cache.set(accountId, list);
    return list;
  }

  /** Asks the relay for the current list. Throws ProtocolError UNKNOWN_SENDER if the account has none. */
  async refresh(client: RelayClient, accountId: AccountId): Promise<DeviceList> {
    const bytes = await client.getDeviceList(accountId);
    if (!bytes) throw new ProtocolError('UNKNOWN_SENDER', 'account has no device list at the relay');
    const known = this.#known[accountId];
    if (known) {
      const current = this.cached(accountId);
      // Same version again: keep what we verified; an older one is refused, a newer one must be signed by the pinned identity.
      const fresh = verifyDeviceList(bytes, { identityKey: known.identityKey });
      if (fresh.version === known.version && current) return current;
      if (fresh.version < known.version) throw new ProtocolError('STALE_DEVICE_LIST', 'relay served an older device list');
      const before = current ?? verifyDeviceList(known.list, { identityKey: known.identityKey });
      this.#remember(fresh);
      this.#onNewer(before, fresh);
      return fresh;
    }
    const list = verifyDeviceList(bytes);
    if (list.accountId !== accountId) throw new ProtocolError('IDENTITY_MISMATCH', 'relay served another account’s device list');
    return this.#remember(list);
  }

  #remember(list: DeviceList): DeviceList {
    this.#known[list.accountId] = { identityKey: list.identityKey, version: list.version, list: list.encoded };
    this.#cache.set(list.accountId, list);
    this.#onChange();
    return list;
  }
}
