/**
 * A verification attestation: the verification authority's statement that an account's
 * identity key belongs to a checked person (level 'identity') whose medical registration was
 * also checked (level 'registration'). Signed by the authority key (purpose 'attestation'), so
 * a relay can store and serve it but never forge or transplant it: the body names the identity
 * key, and clients compare it with the key of the device list they verified themselves.
 *
 *   body: { v: 1, i: attestation id (32 hex), a: AccountId, k: identity key, l: level,
 *           r?: { s: 'BIG' | 'RIZIV', n: 11 digits }, n: name, p: profession, o?: organisation,
 *           c?: city, t: issuedAt ms, x: expiresAt ms }
 *   wire: encodeSigned('attestation', body, authoritySecretKey) — stored at the relay as the
 *         subject account's attestation named VERIFICATION_ATTESTATION_NAME.
 */
import { bytesToHex, constantTimeEqual } from '../bytes';
import { ProtocolError } from '../errors';
import { ATTESTATION_CLOCK_SKEW_MS, ATTESTATION_MAX_VALIDITY_MS, PROFILE_FIELD_MAX_CHARS } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { accountIdFromIdentityKey, zAccountId, type AccountId } from '../protocol/ids';
import { decodeSigned, encodeSigned, requireSignature } from '../protocol/signing';
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { isValidRegistration, REGISTRATION_SCHEMES, type Registration } from './registration-number';

export const VERIFICATION_ATTESTATION_NAME = 'verification';
export const VERIFICATION_LEVELS = ['identity', 'registration'] as const;
export type VerificationLevel = (typeof VERIFICATION_LEVELS)[number];

export interface VerificationClaims {
  readonly level: VerificationLevel;
  readonly registration?: Registration;
  readonly name: string;
  readonly profession: string;
  readonly organisation?: string;
  readonly city?: string;
}

export interface VerificationAttestation extends VerificationClaims {
  readonly id: string;
  readonly accountId: AccountId;
  readonly identityKey: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly encoded: Uint8Array;
}

const zField = z.string().max(PROFILE_FIELD_MAX_CHARS);
const zBody = z
  .object({
    v: z.literal(1),
    i: z.string().regex(/^[0-9a-f]{32}$/),
    a: zAccountId,
    k: zBytes(32),
    l: z.enum(VERIFICATION_LEVELS),
    r: z.object({ s: z.enum(REGISTRATION_SCHEMES), n: z.string().regex(/^\d{11}$/) }).strict().optional(),
    n: zField.min(1),
    p: zField,
    o: zField.optional(),
    c: zField.optional(),
    t: z.number().int().nonnegative(),
    x: z.number().int().positive(),
  })
  .strict();

export function newAttestationId(): string {
  return bytesToHex(randomBytes(16));
}

export interface IssueOptions {
  readonly identityKey: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly id?: string;
}

/** Throws ProtocolError MALFORMED when the claims break the rules clients will check. */
export function issueVerificationAttestation(authoritySecretKey: Uint8Array, claims: VerificationClaims, o: IssueOptions): Uint8Array {
  const body = {
    v: 1 as const,
    i: o.id ?? newAttestationId(),
    a: accountIdFromIdentityKey(o.identityKey),
    k: o.identityKey,
    l: claims.level,
    ...(claims.registration ? { r: { s: claims.registration.scheme, n: claims.registration.number } } : {}),
    n: claims.name,
    p: claims.profession,
    ...(claims.organisation ? { o: claims.organisation } : {}),
    ...(claims.city ? { c: claims.city } : {}),
    t: o.issuedAt,
    x: o.expiresAt,
  };
  checkRules(zBody.parse(body));
  return encodeSigned('attestation', encodeCbor(body), authoritySecretKey);
}

function checkRules(b: z.infer<typeof zBody>): void {
  if (b.a !== accountIdFromIdentityKey(b.k)) throw new ProtocolError('IDENTITY_MISMATCH', 'attestation: account id does not match key');
  if (b.x <= b.t || b.x - b.t > ATTESTATION_MAX_VALIDITY_MS) throw new ProtocolError('MALFORMED', 'attestation: validity out of range');
  if (b.l === 'registration' && !b.r) throw new ProtocolError('MALFORMED', 'attestation: registration level without registration');
  if (b.r && !isValidRegistration({ scheme: b.r.s, number: b.r.n })) throw new ProtocolError('MALFORMED', 'attestation: invalid registration number');
}

/**
 * Decodes and checks everything but revocation: authority signature, the rules, the subject
 * (when `identityKey` is given: the attestation must be about exactly that key), and time.
 * Throws ProtocolError MALFORMED / BAD_SIGNATURE / IDENTITY_MISMATCH / EXPIRED.
 */
export function verifyVerificationAttestation(
  bytes: Uint8Array,
  authorityKey: Uint8Array,
  expect: { readonly identityKey?: Uint8Array; readonly now: number },
): VerificationAttestation {
  const { body, signature } = decodeSigned(bytes, 'verification attestation');
  requireSignature('attestation', signature, body, authorityKey, 'verification attestation');
  const a = readUncheckedAttestation(bytes);
  if (expect.identityKey && !constantTimeEqual(expect.identityKey, a.identityKey)) {
    throw new ProtocolError('IDENTITY_MISMATCH', 'attestation: about another identity key');
  }
  if (a.issuedAt > expect.now + ATTESTATION_CLOCK_SKEW_MS || a.expiresAt <= expect.now) throw new ProtocolError('EXPIRED', 'attestation: not valid now');
  return a;
}

/** True when the authority signed these attestation bytes (nothing else is checked). */
export function hasAuthoritySignature(bytes: Uint8Array, authorityKey: Uint8Array): boolean {
  try {
    const { body, signature } = decodeSigned(bytes, 'verification attestation');
    requireSignature('attestation', signature, body, authorityKey, 'verification attestation');
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes and checks the body rules WITHOUT the signature or time: only for bytes that were
 * verified before (the relay's own store, re-checked lazily with hasAuthoritySignature).
 * Throws ProtocolError MALFORMED / IDENTITY_MISMATCH.
 */
export function readUncheckedAttestation(bytes: Uint8Array): VerificationAttestation {
  const { body } = decodeSigned(bytes, 'verification attestation');
  const b = decodeCbor(body, zBody, 'verification attestation');
  checkRules(b);
  return {
    id: b.i,
    accountId: b.a,
    identityKey: b.k,
    level: b.l,
    ...(b.r ? { registration: { scheme: b.r.s, number: b.r.n } } : {}),
    name: b.n,
    profession: b.p,
    ...(b.o !== undefined ? { organisation: b.o } : {}),
    ...(b.c !== undefined ? { city: b.c } : {}),
    issuedAt: b.t,
    expiresAt: b.x,
    encoded: bytes,
  };
}
