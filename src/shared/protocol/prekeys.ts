/**
 * Prekeys: what a device publishes so others can start a session while it is offline.
 * The signed prekey is an X25519 key signed by the device's Ed25519 signing key (purpose
 * 'signed-prekey'); the relay keeps it as opaque bytes. One-time prekeys are bare
 * {id, key} pairs the relay hands out once each.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import type { DeviceCertificate } from './device-certificate';
import { generateDhKeyPair, secureRandom, type RandomSource } from './diffie-hellman';
import { zAccountId, zDeviceId, type AccountId, type DeviceId } from './ids';
import type { DeviceKeys } from './identity';
import { decodeSigned, encodeSigned, requireSignature } from './signing';

export const MAX_PREKEY_ID = 0xffff_ffff;
export const zPrekeyId = z.number().int().nonnegative().max(MAX_PREKEY_ID);

export interface OneTimePrekey {
  readonly id: number;
  readonly key: Uint8Array;
}
export const zOneTimePrekey = z.object({ id: zPrekeyId, key: zBytes(32) }).strict();

/** The private half of a prekey, kept by the device (in its store) until used. */
export interface PrekeySecret {
  readonly id: number;
  readonly secretKey: Uint8Array;
}

export interface SignedPrekey {
  readonly deviceId: DeviceId;
  readonly id: number;
  readonly key: Uint8Array;
  readonly createdAt: number;
}

/** What a sender fetches from the relay directory to start a session with one device. */
export interface PrekeyBundle {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  /** The signed prekey exactly as the device published it (opaque to the relay). */
  readonly signedPrekey: Uint8Array;
  readonly oneTimePrekey?: OneTimePrekey;
}
export const zPrekeyBundle = z
  .object({ accountId: zAccountId, deviceId: zDeviceId, signedPrekey: zBytes(), oneTimePrekey: zOneTimePrekey.optional() })
  .strict();

/** A bundle checked against the device's certificate: every key in it is the device's. */
export interface VerifiedPrekeyBundle {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly identityDhKey: Uint8Array;
  readonly signedPrekey: SignedPrekey;
  readonly oneTimePrekey?: OneTimePrekey;
}

const zSignedPrekeyBody = z.object({ v: z.literal(1), d: zDeviceId, i: zPrekeyId, k: zBytes(32), t: z.number().int().nonnegative() }).strict();

export function createSignedPrekey(
  device: Pick<DeviceKeys, 'deviceId' | 'signing'>,
  id: number,
  createdAt: number,
  random: RandomSource = secureRandom,
): { published: Uint8Array; secret: PrekeySecret } {
  zPrekeyId.parse(id);
  const pair = generateDhKeyPair(random);
  const body = encodeCbor({ v: 1, d: device.deviceId, i: id, k: pair.publicKey, t: createdAt });
  return { published: encodeSigned('signed-prekey', body, device.signing.secretKey.bytes), secret: { id, secretKey: pair.secretKey } };
}

/** `count` one-time prekeys with ids firstId, firstId + 1, ... (wrapping within uint32). */
export function createOneTimePrekeys(
  firstId: number,
  count: number,
  random: RandomSource = secureRandom,
): { published: OneTimePrekey[]; secrets: PrekeySecret[] } {
  const published: OneTimePrekey[] = [];
  const secrets: PrekeySecret[] = [];
  for (let i = 0; i < count; i++) {
    const id = (firstId + i) % (MAX_PREKEY_ID + 1);
    const pair = generateDhKeyPair(random);
    published.push({ id, key: pair.publicKey });
    secrets.push({ id, secretKey: pair.secretKey });
  }
  return { published, secrets };
}

/** Checks that the signed prekey was signed by this certified device. */
export function verifySignedPrekey(bytes: Uint8Array, certificate: DeviceCertificate): SignedPrekey {
  const { body, signature } = decodeSigned(bytes, 'signed prekey');
  const p = decodeCbor(body, zSignedPrekeyBody, 'signed prekey');
  requireSignature('signed-prekey', signature, body, certificate.signingKey, 'signed prekey');
  if (p.d !== certificate.deviceId) throw new ProtocolError('BAD_CERTIFICATE', 'signed prekey names another device');
  return { deviceId: p.d, id: p.i, key: p.k, createdAt: p.t };
}

/** `certificate` must come from the account's verified device list. */
export function verifyPrekeyBundle(bundle: PrekeyBundle, certificate: DeviceCertificate): VerifiedPrekeyBundle {
  const parsed = zPrekeyBundle.safeParse(bundle);
  if (!parsed.success) throw new ProtocolError('MALFORMED', 'prekey bundle: invalid shape');
  if (bundle.accountId !== certificate.accountId || bundle.deviceId !== certificate.deviceId) {
    throw new ProtocolError('BAD_CERTIFICATE', 'prekey bundle is for another device');
  }
  const signedPrekey = verifySignedPrekey(bundle.signedPrekey, certificate);
  return {
    accountId: bundle.accountId,
    deviceId: bundle.deviceId,
    identityDhKey: certificate.dhKey,
    signedPrekey,
    ...(bundle.oneTimePrekey ? { oneTimePrekey: bundle.oneTimePrekey } : {}),
  };
}
