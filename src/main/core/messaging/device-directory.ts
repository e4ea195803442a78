/**
 * Verified device lists from the relay directory. Every list is checked against the identity
 * key pinned for its account (our own from pairing, contacts' from the first list seen) and
 * may never go back to an older version, so a relay cannot add a device to anyone's account
 * or roll back a revocation.
 */
import { constantTimeEqual } from '../../../shared/bytes';
import { ProtocolError } from '../../../shared/errors';
import { verifyDeviceList, type DeviceList } from '../../../shared/protocol/device-list';
import type { AccountId } from '../../../shared/protocol/ids';

export interface DeviceListSource {
  getDeviceList(accountId: AccountId): Promise<Uint8Array | null>;
}

export interface IdentityPins {
  /** The identity key pinned for an account, if any. */
  pinned(accountId: AccountId): Uint8Array | undefined;
  /** A list verified under a key that is not the pinned one (or the first key seen). */
  changed(accountId: AccountId, identityKey: Uint8Array): void;
  /**
   * A newer list was verified (src/main/core/trust/device-notices.ts): a contact's, with whether it
   * is signed by the pinned identity key, or our own account's (which may no longer name us).
   */
  listSeen?(list: DeviceList, sameIdentity: boolean): void;
  ownListSeen?(list: DeviceList): void;
}

export class DeviceDirectory {
  readonly #source: DeviceListSource;
  readonly #pins: IdentityPins;
  readonly #ownAccountId: AccountId;
  readonly #ownIdentityKey: Uint8Array;
  readonly #lists = new Map<AccountId, DeviceList>();

  constructor(source: DeviceListSource, pins: IdentityPins, own: { accountId: AccountId; identityKey: Uint8Array; list?: DeviceList }) {
    this.#source = source;
    this.#pins = pins;
    this.#ownAccountId = own.accountId;
    this.#ownIdentityKey = own.identityKey;
    if (own.list) this.accept(own.list);
  }

  cached(accountId: AccountId): DeviceList | undefined {
    return this.#lists.get(accountId);
  }

  /** Takes a list obtained elsewhere (e.g. from the phone at pairing) through the same checks. */
  accept(list: DeviceList): DeviceList {
    const verified = this.#check(list.encoded, list.accountId);
    this.#lists.set(verified.accountId, verified);
    return verified;
  }

  /** The cached list, fetched (and verified) when missing or when `refresh` is set. */
  async get(accountId: AccountId, options: { refresh?: boolean } = {}): Promise<DeviceList> {
    const cached = this.#lists.get(accountId);
    if (cached && !options.refresh) return cached;
    const bytes = await this.#source.getDeviceList(accountId);
    if (!bytes) {
      if (cached) return cached;
      throw new ProtocolError('UNKNOWN_SENDER', 'account has no device list');
    }
    const list = this.#check(bytes, accountId);
    this.#lists.set(accountId, list);
    return list;
  }

  #check(bytes: Uint8Array, accountId: AccountId): DeviceList {
    const own = accountId === this.#ownAccountId;
    const pinned = own ? this.#ownIdentityKey : this.#pins.pinned(accountId);
    const cached = this.#lists.get(accountId);
    // Our own identity never changes under us; a contact's may (new phone), which is shown to
    // the user as a changed safety number rather than silently accepted.
    const list = verifyDeviceList(bytes, own ? { identityKey: pinned } : {});
    if (list.accountId !== accountId) throw new ProtocolError('IDENTITY_MISMATCH', 'device list is for another account');
    const sameIdentity = cached ? constantTimeEqual(cached.identityKey, list.identityKey) : true;
    if (cached && sameIdentity && list.version < cached.version) throw new ProtocolError('STALE_DEVICE_LIST', 'device list older than one already seen');
    if (cached && sameIdentity && list.version === cached.version) return cached;
    const samePin = pinned !== undefined && constantTimeEqual(pinned, list.identityKey);
    if (!own && !samePin) this.#pins.changed(accountId, list.identityKey);
    if (own) this.#pins.ownListSeen?.(list);
    // A first sighting (nothing pinned yet) is not a change of identity.
    else this.#pins.listSeen?.(list, samePin || pinned === undefined);
    return list;
  }
}
