/**
 * A device certificate binds a device's public keys to an account: it is signed by the
 * account's identity key (held by the phone), so neither the relay nor a stranger can add a
 * device to someone's account.
 */
import { z } from 'zod';
import { constantTimeEqual } from '../bytes';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { zAccountId, zDeviceId, type AccountId, type DeviceId } from './ids';
import { createDeviceKeys, type AccountIdentity, type DeviceKeys } from './identity';
import { decodeSigned, encodeSigned, requireSignature } from './signing';

export const DEVICE_KINDS = ['phone', 'desktop'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceCertificate {
  readonly version: 1;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly kind: DeviceKind;
  /** Shown to the user ("Ward 4 nursing station"); never used for security decisions. */
  readonly name: string;
  readonly signingKey: Uint8Array;
  readonly dhKey: Uint8Array;
  readonly issuedAt: number;
}

const zCertificateBody = z
  .object({
    v: z.literal(1),
    a: zAccountId,
    d: zDeviceId,
    k: z.enum(DEVICE_KINDS),
    n: z.string().max(100),
    sk: zBytes(32),
    dk: zBytes(32),
    t: z.number().int().nonnegative(),
  })
  .strict();

export function issueDeviceCertificate(
  account: AccountIdentity,
  device: Pick<DeviceKeys, 'deviceId'> & { signingKey: Uint8Array; dhKey: Uint8Array },
  kind: DeviceKind,
  name: string,
  issuedAt: number,
): Uint8Array {
  const body = encodeCbor({
    v: 1,
    a: account.accountId,
    d: device.deviceId,
    k: kind,
    n: name.slice(0, 100),
    sk: device.signingKey,
    dk: device.dhKey,
    t: issuedAt,
  });
  return encodeSigned('device-certificate', body, account.identity.secretKey.bytes);
}

/** Verifies that `bytes` is a certificate signed by `identityKey` for `accountId`. */
/** A new device of `account`: fresh keys and the certificate the identity issues for them. */
export function createCertifiedDevice(account: AccountIdentity, kind: DeviceKind, name: string, issuedAt: number): { keys: DeviceKeys; certificate: Uint8Array } {
  const keys = createDeviceKeys();
  const certificate = issueDeviceCertificate(account, { deviceId: keys.deviceId, signingKey: keys.signing.publicKey, dhKey: keys.dh.publicKey }, kind, name, issuedAt);
  return { keys, certificate };
}

/**
 * The exact inputs each certificate object that verifyDeviceCertificate returned was verified
 * from. Module-private and keyed by object identity, so only verifyDeviceCertificate can vouch
 * for a certificate: a copy, a spread or a hand-built object is never in it. Public data only;
 * entries go with their objects.
 */
const verifiedFrom = new WeakMap<DeviceCertificate, { readonly bytes: Uint8Array; readonly identityKey: Uint8Array; readonly accountId: AccountId }>();

export function verifyDeviceCertificate(bytes: Uint8Array, identityKey: Uint8Array, accountId: AccountId): DeviceCertificate {
  const { body, signature } = decodeSigned(bytes, 'device certificate');
  const c = decodeCbor(body, zCertificateBody, 'device certificate');
  requireSignature('device-certificate', signature, body, identityKey, 'device certificate');
  if (c.a !== accountId) throw new ProtocolError('BAD_CERTIFICATE', 'device certificate names another account');
  const cert: DeviceCertificate = { version: 1, accountId: c.a, deviceId: c.d, kind: c.k, name: c.n, signingKey: c.sk, dhKey: c.dk, issuedAt: c.t };
  // Copies (not .slice(), which is a view on a Node Buffer): the caller may reuse its buffer,
  // and the record must keep saying exactly what was verified.
  verifiedFrom.set(cert, { bytes: new Uint8Array(bytes), identityKey: new Uint8Array(identityKey), accountId });
  return cert;
}

/**
 * True when `cert` is the object verifyDeviceCertificate returned for exactly these inputs (every
 * byte of the certificate and of the identity key equal). Verification is a pure function of
 * them, so calling it again would return an equal certificate: the caller may use `cert` instead
 * of verifying the signature a second time (sealed sender, per message).
 */
export function isVerifiedDeviceCertificate(cert: DeviceCertificate, bytes: Uint8Array, identityKey: Uint8Array, accountId: AccountId): boolean {
  const from = verifiedFrom.get(cert);
  return (
    from !== undefined &&
    from.accountId === accountId &&
    constantTimeEqual(from.bytes, bytes) &&
    constantTimeEqual(from.identityKey, identityKey)
  );
}
