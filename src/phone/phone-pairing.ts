/** The companion phone's part in QR pairing: how linking a desktop changes its device list and key store. */
import { copyBytes } from '../shared/bytes';
import type { Clock } from '../shared/clock';
import type { GroupState } from '../shared/groups/group-state';
import type { PairingSnapshot } from '../shared/messages/pairing-snapshot';
import type { PhonePairingAccount, LinkedDesktop } from '../shared/protocol/pairing';
import type { AccountId, DeviceId } from '../shared/protocol/ids';
import type { AccountIdentity } from '../shared/protocol/identity';
import { signOwnDeviceList } from './phone-account';
import type { PhoneState } from './phone-state';

export interface PairingHost {
  readonly state: PhoneState;
  readonly account: AccountIdentity;
  readonly clock: Clock;
  /** Publishes a signed device list (and wipe commands) and, once the relay took it, makes it the current one. */
  publishOwnList(list: Uint8Array, wipes?: readonly Uint8Array[]): Promise<void>;
  save(): void;
  /** The group states the phone holds (a broadcast list it receives: its own view), for the new desktop. */
  groups?(): readonly GroupState[];
}

export function pairingAccountFor(host: PairingHost): PhonePairingAccount {
  const { state } = host;
  return {
    account: host.account,
    profile: state.profile,
    async linkDesktop(desktop: LinkedDesktop, certificate: Uint8Array): Promise<Uint8Array> {
      // A re-pair of the same workstation replaces its earlier device rather than adding one.
      const replaced = state.desktops.filter((d) => d.workstationId === desktop.workstationId).map((d) => d.deviceId);
      const before = { version: state.deviceListVersion, otherDevices: { ...state.otherDevices }, desktops: [...state.desktops] };
      for (const id of replaced) Reflect.deleteProperty(state.otherDevices, id);
      state.otherDevices[desktop.deviceId] = certificate;
      state.deviceListVersion++;
      try {
        const list = signOwnDeviceList(state, host.account, host.clock);
        await host.publishOwnList(list);
        state.desktops = [
          ...state.desktops.filter((d) => d.workstationId !== desktop.workstationId),
          { workstationId: desktop.workstationId, deviceId: desktop.deviceId, name: desktop.name, linkedAt: host.clock.now() },
        ];
        host.save();
        return list;
      } catch (error) {
        state.deviceListVersion = before.version;
        state.otherDevices = before.otherDevices;
        state.desktops = before.desktops;
        throw error;
      }
    },
    async unlinkDesktop(deviceId: DeviceId): Promise<void> {
      Reflect.deleteProperty(state.otherDevices, deviceId);
      state.desktops = state.desktops.filter((d) => d.deviceId !== deviceId);
      state.deviceListVersion++;
      host.save();
      // No wipe command: the desktop may be a re-pair whose existing database must survive a glitch.
      await host.publishOwnList(signOwnDeviceList(state, host.account, host.clock));
    },
    databaseKeyFor: (workstationId) => state.databaseKeys[workstationId],
    rememberDatabaseKey(workstationId, key) {
      state.databaseKeys[workstationId] = copyBytes(key);
      host.save();
      return Promise.resolve();
    },
    snapshot(): PairingSnapshot {
      return {
        contacts: Object.entries(state.contacts).map(([accountId, profile]) => ({ accountId: accountId as AccountId, profile })),
        messages: state.history,
        groups: host.groups?.() ?? [],
      };
    },
  };
}
