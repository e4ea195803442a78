/** Branded ids, so a device id is never passed where an account or envelope id belongs. */
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { bytesToHex } from '../bytes';

export type AccountId = string & { readonly __brand: 'AccountId' };
export type DeviceId = string & { readonly __brand: 'DeviceId' };
export type EnvelopeId = string & { readonly __brand: 'EnvelopeId' };

const ID_PATTERN = /^[0-9a-f]{32}$/;
export const zAccountId = z.string().regex(ID_PATTERN).transform((s) => s as AccountId);
export const zDeviceId = z.string().regex(ID_PATTERN).transform((s) => s as DeviceId);
export const zEnvelopeId = z.string().regex(ID_PATTERN).transform((s) => s as EnvelopeId);

/** An account is named by its identity key: the first 16 bytes of SHA-256 over the Ed25519 public key, hex. */
export function accountIdFromIdentityKey(identityPublicKey: Uint8Array): AccountId {
  return bytesToHex(sha256(identityPublicKey).subarray(0, 16)) as AccountId;
}

export function newDeviceId(): DeviceId {
  return bytesToHex(randomBytes(16)) as DeviceId;
}

export function newEnvelopeId(): EnvelopeId {
  return bytesToHex(randomBytes(16)) as EnvelopeId;
}
