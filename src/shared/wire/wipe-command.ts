/**
 * A remote wipe: the account identity (held by the phone) orders one of its devices to erase
 * itself. The relay checks it before storing and delivers it to the named device only; the
 * device checks it again against its pinned identity key before obeying.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey, zAccountId, zDeviceId, type AccountId, type DeviceId } from '../protocol/ids';
import type { AccountIdentity } from '../protocol/identity';
import { decodeSigned, encodeSigned, requireSignature } from '../protocol/signing';

export interface WipeCommand {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly issuedAt: number;
  readonly encoded: Uint8Array;
}

const zWipeBody = z.object({ v: z.literal(1), a: zAccountId, d: zDeviceId, t: z.number().int().nonnegative() }).strict();

export function signWipeCommand(account: AccountIdentity, deviceId: DeviceId, issuedAt: number): Uint8Array {
  const body = encodeCbor({ v: 1, a: account.accountId, d: deviceId, t: issuedAt });
  return encodeSigned('wipe-command', body, account.identity.secretKey.bytes);
}

/** Verifies the command was signed by `identityKey` for that identity's account. */
export function verifyWipeCommand(bytes: Uint8Array, identityKey: Uint8Array): WipeCommand {
  const { body, signature } = decodeSigned(bytes, 'wipe command');
  const w = decodeCbor(body, zWipeBody, 'wipe command');
  if (w.a !== accountIdFromIdentityKey(identityKey)) throw new ProtocolError('IDENTITY_MISMATCH', 'wipe command: another account');
  requireSignature('wipe-command', signature, body, identityKey, 'wipe command');
  return { accountId: w.a, deviceId: w.d, issuedAt: w.t, encoded: bytes };
}
