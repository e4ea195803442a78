/**
 * Publishing a signed device list. The first list for an account pins its identity key; every
 * later one must be signed by that identity with a higher version. Devices new to the list are
 * authorised now (which starts a desktop's session clock); devices missing from it are revoked,
 * and wipe commands for them are stored and delivered. Creating an account is limited per client
 * address (`newAccounts`), so one machine cannot fill the directory with junk accounts; updates
 * to an existing account are not.
 */
import type { Clock } from '../src/shared/clock';
import { ProtocolError } from '../src/shared/errors';
import { verifyDeviceList, type DeviceList } from '../src/shared/protocol/device-list';
import type { DeviceId } from '../src/shared/protocol/ids';
import { RelayError } from '../src/shared/wire/relay-error';
import { verifyWipeCommand, type WipeCommand } from '../src/shared/wire/wipe-command';
import type { Directory } from './directory';
import type { Logger } from './logging';
import type { Sessions } from './sessions';
import type { KeyedTokenBuckets } from './token-bucket';

export class AccountPublishing {
  constructor(
    private readonly directory: Directory,
    private readonly sessions: Sessions,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** New accounts per client address. */
    private readonly newAccounts: KeyedTokenBuckets,
  ) {}

  /**
   * Returns the accepted version. Throws RelayError with the verification code, or
   * REGISTRATION_LIMITED when `address` has created too many accounts lately (nothing stored).
   */
  publish(listBytes: Uint8Array, wipeBytes: readonly Uint8Array[], address: string): number {
    const now = this.clock.now();
    const { list, isNew } = this.#verify(listBytes);
    const listed = new Set<DeviceId>(list.devices.map((d) => d.deviceId));
    for (const cert of list.devices) {
      const known = this.directory.device(cert.deviceId);
      // A device id belongs to one account forever: nobody can list someone else's device.
      if (known && known.accountId !== list.accountId) throw new RelayError('BAD_CERTIFICATE');
    }
    const wipes = wipeBytes.map((bytes) => this.#verifyWipe(bytes, list, listed));
    const removed = this.directory
      .devicesOf(list.accountId)
      .filter((d) => d.state === 'active' && !listed.has(d.deviceId))
      .map((d) => d.deviceId);
    // Charged only for a list that verified and would be stored: a refused list costs nothing.
    if (isNew && !this.newAccounts.take(address)) {
      this.log.info({ address, code: 'REGISTRATION_LIMITED' }, 'new account refused');
      throw new RelayError('REGISTRATION_LIMITED');
    }

    this.directory.transaction(() => {
      this.directory.saveAccount({ accountId: list.accountId, identityKey: list.identityKey, version: list.version, list: listBytes }, now);
      for (const cert of list.devices) {
        if (this.directory.device(cert.deviceId)) continue;
        this.directory.addDevice({
          deviceId: cert.deviceId,
          accountId: list.accountId,
          kind: cert.kind,
          signingKey: cert.signingKey,
          authorisedAt: now,
          state: 'active',
        });
      }
      for (const w of wipes) this.directory.putWipe(w.deviceId, w.accountId, w.encoded, now);
    });
    const wipeFor = new Map(wipes.map((w) => [w.deviceId, w.encoded]));
    for (const deviceId of removed) this.sessions.revoke(deviceId, wipeFor.get(deviceId));
    for (const w of wipes) if (!removed.includes(w.deviceId)) this.sessions.revoke(w.deviceId, w.encoded);
    this.log.info({ account: list.accountId, version: list.version, devices: list.devices.length, revoked: removed.length }, 'device list accepted');
    return list.version;
  }

  /** Checked against the identity and version pinned for the account the list names; `isNew` when there is none yet. */
  #verify(bytes: Uint8Array): { list: DeviceList; isNew: boolean } {
    let isNew = false;
    try {
      const list = verifyDeviceList(bytes, (accountId) => {
        const pinned = this.directory.account(accountId);
        isNew = pinned === undefined;
        return pinned ? { identityKey: pinned.identityKey, afterVersion: pinned.version } : {};
      });
      return { list, isNew };
    } catch (e) {
      throw asRelayError(e);
    }
  }

  #verifyWipe(bytes: Uint8Array, list: DeviceList, listed: Set<DeviceId>): WipeCommand {
    let wipe: WipeCommand;
    try {
      wipe = verifyWipeCommand(bytes, list.identityKey);
    } catch (e) {
      throw asRelayError(e);
    }
    const device = this.directory.device(wipe.deviceId);
    // A wipe may only name a device of this account that the new list no longer contains.
    if (!device || device.accountId !== list.accountId || listed.has(wipe.deviceId)) throw new RelayError('UNKNOWN_DEVICE');
    return wipe;
  }
}

export function asRelayError(e: unknown): RelayError {
  if (e instanceof RelayError) return e;
  if (e instanceof ProtocolError) {
    switch (e.code) {
      case 'BAD_SIGNATURE':
      case 'BAD_CERTIFICATE':
      case 'STALE_DEVICE_LIST':
      case 'IDENTITY_MISMATCH':
      case 'UNSUPPORTED_VERSION':
        return new RelayError(e.code);
      default:
        return new RelayError('MALFORMED');
    }
  }
  return new RelayError('INTERNAL', undefined, { cause: e });
}
