/**
 * Ed25519 signatures with domain separation: every signed structure is signed over
 * "wardline/<purpose>/v1" || 0x00 || body, so a signature made for one purpose can never be
 * replayed as another.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { concatBytes, utf8ToBytes } from '../bytes';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor, zBytes } from './codec';

export type SignaturePurpose =
  | 'device-certificate'
  | 'device-list'
  | 'relay-auth'
  | 'signed-prekey'
  | 'pairing'
  | 'wipe-command'
  | 'attestation'
  | 'attestation-revocation'
  | 'group-change'
  | 'group-listing'
  | 'backup-restore';

function signedMessage(purpose: SignaturePurpose, body: Uint8Array): Uint8Array {
  return concatBytes(utf8ToBytes(`wardline/${purpose}/v1`), new Uint8Array([0]), body);
}

export function sign(purpose: SignaturePurpose, body: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(signedMessage(purpose, body), secretKey);
}

export function verify(purpose: SignaturePurpose, signature: Uint8Array, body: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, signedMessage(purpose, body), publicKey);
  } catch {
    return false;
  }
}

/** A signed object on the wire: CBOR { b: body bytes, s: 64-byte signature }. */
const zSignedObject = z.object({ b: zBytes(), s: zBytes(64) }).strict();

export function encodeSigned(purpose: SignaturePurpose, body: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return encodeCbor({ b: body, s: sign(purpose, body, secretKey) });
}

/** Splits a signed object; the caller decides which key must have signed it. */
export function decodeSigned(bytes: Uint8Array, what: string): { body: Uint8Array; signature: Uint8Array } {
  const o = decodeCbor(bytes, zSignedObject, what);
  return { body: o.b, signature: o.s };
}

export function requireSignature(
  purpose: SignaturePurpose,
  signature: Uint8Array,
  body: Uint8Array,
  publicKey: Uint8Array,
  what: string,
): void {
  if (!verify(purpose, signature, body, publicKey)) throw new ProtocolError('BAD_SIGNATURE', `${what}: signature does not verify`);
}
