/**
 * X3DH key agreement (Signal specification, revision 1) with X25519 throughout: the device's
 * certified X25519 key is its identity DH key, its Ed25519 key has already verified the signed
 * prekey (verifyPrekeyBundle). The associated data binds both accounts, devices and keys.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes, utf8ToBytes, wipe } from '../bytes';
import { dh, generateDhKeyPair, secureRandom, type RandomSource } from './diffie-hellman';
import type { AccountId, DeviceId } from './ids';
import type { VerifiedPrekeyBundle } from './prekeys';

export const X3DH_KDF_INFO = 'wardline/x3dh/v1';
const INFO = utf8ToBytes(X3DH_KDF_INFO);
/** The spec's F: 32 0xFF bytes before the DH outputs, so IKM never starts like a scalar. */
const F = new Uint8Array(32).fill(0xff);
const ZERO_SALT = new Uint8Array(32);

export interface X3dhParty {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  /** The certified X25519 identity key. */
  readonly dhKey: Uint8Array;
}

/** Which keys the initiator used; travels (inside the sealed layer) with the first messages. */
export interface X3dhInitiation {
  readonly ephemeralKey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly oneTimePrekeyId?: number;
}

export interface X3dhResult {
  readonly sharedKey: Uint8Array;
  readonly associatedData: Uint8Array;
}

/** AD = initiator account (16) ‖ device (16) ‖ IK (32) ‖ responder account (16) ‖ device (16) ‖ IK (32). */
export function x3dhAssociatedData(initiator: X3dhParty, responder: X3dhParty): Uint8Array {
  return concatBytes(
    hexToBytes(initiator.accountId),
    hexToBytes(initiator.deviceId),
    initiator.dhKey,
    hexToBytes(responder.accountId),
    hexToBytes(responder.deviceId),
    responder.dhKey,
  );
}

function deriveSharedKey(dhs: Uint8Array[]): Uint8Array {
  const ikm = concatBytes(F, ...dhs);
  const sharedKey = hkdf(sha256, ikm, ZERO_SALT, INFO, 32);
  wipe(ikm, ...dhs);
  return sharedKey;
}

export function x3dhInitiate(
  self: X3dhParty & { readonly dhSecret: Uint8Array },
  bundle: VerifiedPrekeyBundle,
  random: RandomSource = secureRandom,
): X3dhResult & { initiation: X3dhInitiation } {
  const ek = generateDhKeyPair(random);
  const spk = bundle.signedPrekey.key;
  const dhs = [dh(self.dhSecret, spk), dh(ek.secretKey, bundle.identityDhKey), dh(ek.secretKey, spk)];
  if (bundle.oneTimePrekey) dhs.push(dh(ek.secretKey, bundle.oneTimePrekey.key));
  const sharedKey = deriveSharedKey(dhs);
  wipe(ek.secretKey);
  const remote: X3dhParty = { accountId: bundle.accountId, deviceId: bundle.deviceId, dhKey: bundle.identityDhKey };
  return {
    sharedKey,
    associatedData: x3dhAssociatedData(self, remote),
    initiation: {
      ephemeralKey: ek.publicKey,
      signedPrekeyId: bundle.signedPrekey.id,
      ...(bundle.oneTimePrekey ? { oneTimePrekeyId: bundle.oneTimePrekey.id } : {}),
    },
  };
}

export function x3dhRespond(
  self: X3dhParty & { readonly dhSecret: Uint8Array },
  initiator: X3dhParty,
  ephemeralKey: Uint8Array,
  signedPrekeySecret: Uint8Array,
  oneTimePrekeySecret?: Uint8Array,
): X3dhResult {
  const dhs = [dh(signedPrekeySecret, initiator.dhKey), dh(self.dhSecret, ephemeralKey), dh(signedPrekeySecret, ephemeralKey)];
  if (oneTimePrekeySecret) dhs.push(dh(oneTimePrekeySecret, ephemeralKey));
  return { sharedKey: deriveSharedKey(dhs), associatedData: x3dhAssociatedData(initiator, self) };
}
