/**
 * Whether a wipe command pushed by the relay is one this device must obey: signed by the
 * account identity pinned at pairing, and naming this very device. The relay checks it too,
 * but a relay is not trusted to order a workstation to erase itself.
 */
import { isWardlineError } from '../../../shared/errors';
import type { DeviceId } from '../../../shared/protocol/ids';
import { verifyWipeCommand } from '../../../shared/wire/wipe-command';

export type WipeOrderCheck = { obey: true } | { obey: false; code: string };

export function checkWipeOrder(command: Uint8Array, identityKey: Uint8Array, ownDeviceId: DeviceId): WipeOrderCheck {
  try {
    const w = verifyWipeCommand(command, identityKey);
    return w.deviceId === ownDeviceId ? { obey: true } : { obey: false, code: 'WRONG_RECIPIENT' };
  } catch (err) {
    return { obey: false, code: isWardlineError(err) ? err.code : 'MALFORMED' };
  }
}
