/**
 * Device authentication: the device signs (purpose 'relay-auth') the connection's fresh nonce,
 * the relay's authority and its own account and device ids with its Ed25519 signing key, which
 * the relay knows from the device's certificate in the account's signed device list.
 */
import type { ClientFrame } from '../src/shared/wire/frames';
import type { RelayErrorCode } from '../src/shared/wire/relay-error';
import { relayAuthBody } from '../src/shared/wire/relay-auth';
import { verify } from '../src/shared/protocol/signing';
import type { DeviceRecord } from './directory';
import type { RelayContext } from './relay-context';

export type AuthOutcome =
  | { readonly ok: true; readonly device: DeviceRecord }
  | { readonly ok: false; readonly code: RelayErrorCode; readonly wipe?: Uint8Array };

export function checkAuth(ctx: RelayContext, nonce: Uint8Array, frame: Extract<ClientFrame, { t: 'auth' }>): AuthOutcome {
  const device = ctx.directory.device(frame.d);
  if (!device || device.accountId !== frame.a) return { ok: false, code: 'AUTH_FAILED' };
  const signed = ctx.authorities.some((authority) =>
    verify('relay-auth', frame.s, relayAuthBody(nonce, authority, frame.a, frame.d), device.signingKey),
  );
  if (!signed) return { ok: false, code: 'AUTH_FAILED' };
  // Only a device that proved its key learns that it was revoked, and gets its wipe command.
  if (device.state === 'revoked') {
    const wipe = ctx.directory.wipeFor(device.deviceId);
    return wipe ? { ok: false, code: 'REVOKED', wipe } : { ok: false, code: 'REVOKED' };
  }
  if (ctx.sessions.checkExpiry(device)) return { ok: false, code: 'SESSION_EXPIRED' };
  return { ok: true, device };
}
