/**
 * Pairwise group fan-out (docs/trust-and-groups.md): one plaintext is encrypted once per device of
 * every recipient account and of our own other devices, through the same 1:1 ratchet sessions as
 * direct chats. No sender keys: a removed member simply stops being a recipient. An account whose
 * device list cannot be fetched or verified is skipped and counted, so one member with a broken
 * list never blocks the message for the others.
 */
import { constantTimeEqual } from '../../../shared/bytes';
import { isWardlineError, ProtocolError } from '../../../shared/errors';
import type { DeviceList } from '../../../shared/protocol/device-list';
import { devicesNeedingBundles, fanOut } from '../../../shared/protocol/fan-out';
import type { AccountId, DeviceId } from '../../../shared/protocol/ids';
import type { PrekeyBundle } from '../../../shared/protocol/prekeys';
import type { SessionCipher } from '../../../shared/protocol/session-cipher';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { CoreLogger } from '../logging';
import type { DeviceDirectory } from '../messaging/device-directory';

/** Device-list requests in flight at once: a large list is not one round trip per member in a row. */
const LOOKUPS_IN_FLIGHT = 16;

export interface GroupSendOutcome {
  /** Recipient accounts with at least one device the relay accepted an envelope for. */
  readonly reachedAccounts: number;
  readonly ownDevices: number;
  /** Devices or whole accounts that could not be reached (no list, no prekeys, relay refused). */
  readonly failed: number;
}

export interface SendOptions {
  readonly expectedKeys: ReadonlyMap<AccountId, Uint8Array>;
  readonly includeOwn: boolean;
}

export interface GroupSenderDeps {
  readonly cipher: SessionCipher;
  readonly relay: () => RelayClient | null;
  readonly directory: DeviceDirectory;
  readonly ownAccountId: AccountId;
  readonly log: CoreLogger;
}

export class GroupSender {
  readonly #d: GroupSenderDeps;

  constructor(deps: GroupSenderDeps) {
    this.#d = deps;
  }

  /**
   * `expectedKeys`: the identity keys the verified group state names; a device list signed by any
   * other key is not used (the relay cannot swap a member's account). `includeOwn`: our own other
   * devices get a copy too.
   */
  async send(accounts: readonly AccountId[], plaintext: Uint8Array, options: SendOptions): Promise<GroupSendOutcome> {
    const { directory, ownAccountId, cipher, log } = this.#d;
    const relay = this.#d.relay();
    if (!relay?.isOpen) throw new ProtocolError('NO_SESSION', 'relay not connected');
    let failed = 0;
    const recipients: DeviceList[] = [];
    const wanted = [...new Set(accounts)].filter((a) => a !== ownAccountId);
    const lookUp = async (accountId: AccountId): Promise<void> => {
      try {
        const list = await directory.get(accountId, { refresh: true });
        const expected = options.expectedKeys.get(accountId);
        if (!expected || !constantTimeEqual(expected, list.identityKey)) throw new ProtocolError('IDENTITY_MISMATCH', 'device list not signed by the group member key');
        recipients.push(list);
      } catch (err) {
        failed++;
        log.warn({ accountId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'group recipient skipped');
      }
    };
    for (let i = 0; i < wanted.length; i += LOOKUPS_IN_FLIGHT) await Promise.all(wanted.slice(i, i + LOOKUPS_IN_FLIGHT).map(lookUp));
    const ownList = await directory.get(ownAccountId, { refresh: true });
    const own = options.includeOwn ? ownList : { ...ownList, devices: ownList.devices.filter((d) => d.deviceId === cipher.deviceId) };
    const missing = await devicesNeedingBundles(cipher, recipients, own);
    const bundles = new Map<DeviceId, PrekeyBundle>();
    const fetchBundles = async (accountId: AccountId): Promise<void> => {
      try {
        for (const b of await relay.getPrekeyBundles(accountId)) bundles.set(b.deviceId, { accountId, ...b });
      } catch (err) {
        log.warn({ accountId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'prekey bundles not fetched');
      }
    };
    const needing = [...new Set(missing.map((t) => t.accountId))];
    for (let i = 0; i < needing.length; i += LOOKUPS_IN_FLIGHT) await Promise.all(needing.slice(i, i + LOOKUPS_IN_FLIGHT).map(fetchBundles));
    const result = await fanOut(cipher, { recipients, own }, plaintext, { bundles });
    failed += result.needBundle.length;
    const reached = new Set<AccountId>();
    let ownDevices = 0;
    for (const e of result.envelopes) {
      try {
        await relay.send(e.bytes);
        if (e.accountId === ownAccountId) ownDevices++;
        else reached.add(e.accountId);
      } catch (err) {
        failed++;
        log.warn({ deviceId: e.deviceId, code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'envelope not accepted by relay');
      }
    }
    return { reachedAccounts: reached.size, ownDevices, failed };
  }
}
