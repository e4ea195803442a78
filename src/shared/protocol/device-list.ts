/**
 * The account's signed device list: every device that may receive the account's messages,
 * each with its certificate, signed by the identity key with a version that only grows.
 * Senders fan out to exactly this list; the relay refuses a list not signed by the identity
 * it first saw for the account.
 */
import { z } from 'zod';
import { constantTimeEqual } from '../bytes';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { verifyDeviceCertificate, type DeviceCertificate } from './device-certificate';
import { accountIdFromIdentityKey, zAccountId, type AccountId, type DeviceId } from './ids';
import type { AccountIdentity } from './identity';
import { decodeSigned, encodeSigned, requireSignature } from './signing';

export const MAX_DEVICES_PER_ACCOUNT = 16;

export interface DeviceList {
  readonly accountId: AccountId;
  readonly identityKey: Uint8Array;
  /** Strictly increasing; a list with a version not above the last one seen is refused. */
  readonly version: number;
  readonly issuedAt: number;
  readonly devices: readonly DeviceCertificate[];
  /** The signed encoding, kept so it can be passed on unchanged. */
  readonly encoded: Uint8Array;
}

const zDeviceListBody = z
  .object({
    v: z.literal(1),
    a: zAccountId,
    ik: zBytes(32),
    n: z.number().int().positive(),
    t: z.number().int().nonnegative(),
    d: z.array(zBytes()).max(MAX_DEVICES_PER_ACCOUNT),
  })
  .strict();

export function signDeviceList(
  account: AccountIdentity,
  version: number,
  certificates: readonly Uint8Array[],
  issuedAt: number,
): Uint8Array {
  const body = encodeCbor({
    v: 1,
    a: account.accountId,
    ik: account.identity.publicKey,
    n: version,
    t: issuedAt,
    d: [...certificates],
  });
  return encodeSigned('device-list', body, account.identity.secretKey.bytes);
}

export interface DeviceListExpectations {
  /** The identity key already pinned for this account, if any. */
  readonly identityKey?: Uint8Array;
  /** The last version accepted; the new list must be strictly newer. */
  readonly afterVersion?: number;
}

/**
 * `expect` may also be looked up from the account the list names (the relay's pinned identity
 * and last version), so a list is decoded and its signatures checked once.
 */
export function verifyDeviceList(
  bytes: Uint8Array,
  expectations: DeviceListExpectations | ((accountId: AccountId) => DeviceListExpectations) = {},
): DeviceList {
  const { body, signature } = decodeSigned(bytes, 'device list');
  const l = decodeCbor(body, zDeviceListBody, 'device list');
  if (accountIdFromIdentityKey(l.ik) !== l.a) throw new ProtocolError('BAD_CERTIFICATE', 'device list: account id does not match identity key');
  const expect = typeof expectations === 'function' ? expectations(l.a) : expectations;
  if (expect.identityKey && !constantTimeEqual(expect.identityKey, l.ik)) {
    throw new ProtocolError('IDENTITY_MISMATCH', 'device list: signed by a different identity');
  }
  requireSignature('device-list', signature, body, l.ik, 'device list');
  if (expect.afterVersion !== undefined && l.n <= expect.afterVersion) {
    throw new ProtocolError('STALE_DEVICE_LIST', `device list: version ${l.n} is not newer than ${expect.afterVersion}`);
  }
  const seen = new Set<DeviceId>();
  const devices = l.d.map((cert) => {
    const c = verifyDeviceCertificate(cert, l.ik, l.a);
    if (seen.has(c.deviceId)) throw new ProtocolError('MALFORMED', 'device list: duplicate device');
    seen.add(c.deviceId);
    return c;
  });
  return { accountId: l.a, identityKey: l.ik, version: l.n, issuedAt: l.t, devices, encoded: bytes };
}

export function findDevice(list: DeviceList, deviceId: DeviceId): DeviceCertificate | undefined {
  return list.devices.find((d) => d.deviceId === deviceId);
}
