/**
 * "<name> is using a new phone": after a restore (docs/protocol.md §16) an account's signed device
 * list, under the same identity key, names a phone device that was not in the list seen before.
 * Contacts show a notice in the conversation; it is not a safety-number change (the identity key
 * is the same, which the caller has checked before asking). A first sighting has nothing to
 * compare with and is not a change.
 */
import type { DeviceList } from '../protocol/device-list';
import type { DeviceId } from '../protocol/ids';

/** The account's phone devices in a list (normally one). */
export function phoneDeviceIds(list: Pick<DeviceList, 'devices'>): DeviceId[] {
  return list.devices.filter((d) => d.kind === 'phone').map((d) => d.deviceId);
}

/** True when `after` holds a phone that `before` (phone ids last seen) did not; false without a before. */
export function phoneReplaced(before: readonly string[] | undefined, after: Pick<DeviceList, 'devices'>): boolean {
  if (!before || before.length === 0) return false;
  return phoneDeviceIds(after).some((id) => !before.includes(id));
}
