/**
 * Sealed sender: the envelope ciphertext is encrypted to the recipient device's X25519 key
 * with a fresh ephemeral key, so the relay learns neither who sent it nor what kind of message
 * it is. Inside are the sender's account, device and certificate and the ratchet message;
 * the sender is authenticated by that ratchet message (its keys come from X3DH with the
 * certified device key), the certificate by the sender account's signed device list.
 *
 * Outer ciphertext: 0x01 ‖ ephemeral public key (32) ‖ XChaCha20-Poly1305(content)
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { concatBytes, constantTimeEqual, hexToBytes, utf8ToBytes, wipe } from '../bytes';
import { ProtocolError } from '../errors';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, aeadOpen, aeadSeal } from './aead';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { isVerifiedDeviceCertificate, verifyDeviceCertificate, type DeviceCertificate } from './device-certificate';
import { findDevice, type DeviceList } from './device-list';
import { dh, generateDhKeyPair, secureRandom, type RandomSource } from './diffie-hellman';
import { zAccountId, zDeviceId, type AccountId, type DeviceId } from './ids';
import { zPrekeyId } from './prekeys';
import type { SealedEnvelope } from './sealed-envelope';
import type { X3dhInitiation } from './x3dh';

export const SEALED_SENDER_VERSION = 1;
export const SEALED_SENDER_KDF_INFO = 'wardline/sealed-sender/v1';
const INFO = utf8ToBytes(SEALED_SENDER_KDF_INFO);
const AD_PREFIX = concatBytes(utf8ToBytes('wardline/envelope/v1'), new Uint8Array([0]));

export type MessageKind = 'prekey' | 'normal';

/** What the sealed layer carries. */
export interface SealedContent {
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  readonly senderCertificate: Uint8Array;
  readonly kind: MessageKind;
  /** Present exactly when kind is 'prekey'. */
  readonly initiation?: X3dhInitiation;
  readonly ratchetMessage: Uint8Array;
}

export type EnvelopeHeader = Omit<SealedEnvelope, 'ciphertext'>;

/** Looks up a sender account's verified device list (the app asks the relay directory). */
export type SenderResolver = (accountId: AccountId) => DeviceList | undefined | Promise<DeviceList | undefined>;

/** The envelope fields the relay sees, bound into the AEAD: to (16) ‖ id (16) ‖ t (u64 BE) ‖ x (u64 BE). */
export function envelopeAssociatedData(h: EnvelopeHeader): Uint8Array {
  const times = new Uint8Array(16);
  const view = new DataView(times.buffer);
  view.setBigUint64(0, BigInt(h.sentAt), false);
  view.setBigUint64(8, BigInt(h.expiresAt), false);
  return concatBytes(AD_PREFIX, hexToBytes(h.to), hexToBytes(h.id), times);
}

function sealingKeys(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array) {
  const out = hkdf(sha256, shared, concatBytes(ephemeralPublic, recipientPublic), INFO, AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  wipe(shared);
  // Views: wiping the key then wipes the HKDF output, where a copy would leave the key behind.
  return { key: out.subarray(0, AEAD_KEY_BYTES), nonce: out.subarray(AEAD_KEY_BYTES) };
}

const zContent = z
  .object({
    v: z.literal(SEALED_SENDER_VERSION),
    a: zAccountId,
    d: zDeviceId,
    c: zBytes(),
    k: z.union([z.literal(1), z.literal(2)]),
    p: z.object({ e: zBytes(32), s: zPrekeyId, o: zPrekeyId.optional() }).strict().optional(),
    m: zBytes(),
  })
  .strict()
  .refine((c) => (c.k === 1) === (c.p !== undefined), { message: 'prekey fields must come with a prekey message only' });

export function sealEnvelope(
  header: EnvelopeHeader,
  recipientDhKey: Uint8Array,
  content: SealedContent,
  random: RandomSource = secureRandom,
): SealedEnvelope {
  const i = content.initiation;
  const plaintext = encodeCbor({
    v: SEALED_SENDER_VERSION,
    a: content.senderAccountId,
    d: content.senderDeviceId,
    c: content.senderCertificate,
    k: content.kind === 'prekey' ? 1 : 2,
    ...(content.kind === 'prekey' && i
      ? { p: { e: i.ephemeralKey, s: i.signedPrekeyId, ...(i.oneTimePrekeyId !== undefined ? { o: i.oneTimePrekeyId } : {}) } }
      : {}),
    m: content.ratchetMessage,
  });
  const eph = generateDhKeyPair(random);
  const { key, nonce } = sealingKeys(dh(eph.secretKey, recipientDhKey), eph.publicKey, recipientDhKey);
  const sealed = aeadSeal(key, nonce, plaintext, envelopeAssociatedData(header));
  wipe(eph.secretKey, key);
  return { ...header, ciphertext: concatBytes(new Uint8Array([SEALED_SENDER_VERSION]), eph.publicKey, sealed) };
}

/** Opens the sealed layer with the own device's X25519 key; checks the addressee first. */
export function openEnvelope(envelope: SealedEnvelope, self: { deviceId: DeviceId; dhSecret: Uint8Array; dhKey: Uint8Array }): SealedContent {
  if (envelope.to !== self.deviceId) throw new ProtocolError('WRONG_RECIPIENT', 'envelope is for another device');
  const c = envelope.ciphertext;
  if (c[0] !== SEALED_SENDER_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `sealed sender version ${c[0]}`);
  if (c.length < 1 + 32 + 16) throw new ProtocolError('MALFORMED', 'sealed sender: truncated');
  const ephemeralPublic = c.subarray(1, 33);
  const { key, nonce } = sealingKeys(dh(self.dhSecret, ephemeralPublic), ephemeralPublic, self.dhKey);
  const plaintext = aeadOpen(key, nonce, c.subarray(33), envelopeAssociatedData(envelope), 'sealed sender');
  wipe(key);
  const o = decodeCbor(plaintext, zContent, 'sealed content');
  return {
    senderAccountId: o.a,
    senderDeviceId: o.d,
    senderCertificate: o.c,
    kind: o.k === 1 ? 'prekey' : 'normal',
    ...(o.p ? { initiation: { ephemeralKey: o.p.e, signedPrekeyId: o.p.s, ...(o.p.o !== undefined ? { oneTimePrekeyId: o.p.o } : {}) } } : {}),
    ratchetMessage: o.m,
  };
}

/**
 * The sender's certificate must be signed by its account's identity and be the one that
 * account's current device list holds for that device.
 *
 * Fast path: when the carried bytes are exactly the certificate the list's entry was verified
 * from (under this identity key and account), that verification already gave this result, so
 * the signature is not checked again. Any other bytes (an older certificate of the same keys,
 * a tampered one) take the full verification below.
 */
export async function verifySealedSender(content: SealedContent, resolveSender: SenderResolver): Promise<DeviceCertificate> {
  const list = await resolveSender(content.senderAccountId);
  if (!list || list.accountId !== content.senderAccountId) throw new ProtocolError('UNKNOWN_SENDER', 'sender account unknown');
  const listed = findDevice(list, content.senderDeviceId);
  if (!listed) throw new ProtocolError('UNKNOWN_SENDER', 'sender device is not in its account device list');
  let cert: DeviceCertificate;
  try {
    cert = isVerifiedDeviceCertificate(listed, content.senderCertificate, list.identityKey, list.accountId)
      ? listed
      : verifyDeviceCertificate(content.senderCertificate, list.identityKey, list.accountId);
  } catch (cause) {
    throw new ProtocolError('BAD_CERTIFICATE', 'sender certificate does not verify', { cause });
  }
  if (
    cert.deviceId !== content.senderDeviceId ||
    !constantTimeEqual(cert.dhKey, listed.dhKey) ||
    !constantTimeEqual(cert.signingKey, listed.signingKey)
  ) {
    throw new ProtocolError('BAD_CERTIFICATE', 'sender certificate does not match the device list');
  }
  return cert;
}
