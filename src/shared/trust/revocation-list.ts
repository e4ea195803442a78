/**
 * The authority's signed revocation list: every attestation id it has withdrawn, with a serial
 * that only grows. It is published at the relay as the attestation REVOCATION_LIST_NAME of the
 * authority's own pseudo-account (accountIdFromIdentityKey(authorityKey)), which no device can
 * write. A relay can withhold a newer list but not forge one; clients keep the highest serial
 * they have seen, and expiry (ATTESTATION_MAX_VALIDITY_MS) bounds what withholding can achieve.
 *
 *   body: { v: 1, s: serial, t: issuedAt ms, r: [attestation id] }, purpose 'attestation-revocation'
 */
import { z } from 'zod';
import { REVOCATION_LIST_MAX_ENTRIES } from '../limits';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey, type AccountId } from '../protocol/ids';
import { decodeSigned, encodeSigned, requireSignature } from '../protocol/signing';

export const REVOCATION_LIST_NAME = 'revocations';

export interface RevocationList {
  readonly serial: number;
  readonly issuedAt: number;
  readonly revoked: ReadonlySet<string>;
  readonly encoded: Uint8Array;
}

const zBody = z
  .object({
    v: z.literal(1),
    s: z.number().int().positive(),
    t: z.number().int().nonnegative(),
    r: z.array(z.string().regex(/^[0-9a-f]{32}$/)).max(REVOCATION_LIST_MAX_ENTRIES),
  })
  .strict();

/** Where the relay keeps the list: the authority's pseudo-account. */
export function authorityAccountId(authorityKey: Uint8Array): AccountId {
  return accountIdFromIdentityKey(authorityKey);
}

export function signRevocationList(authoritySecretKey: Uint8Array, serial: number, revoked: readonly string[], issuedAt: number): Uint8Array {
  const body = zBody.parse({ v: 1, s: serial, t: issuedAt, r: [...new Set(revoked)].sort() });
  return encodeSigned('attestation-revocation', encodeCbor(body), authoritySecretKey);
}

/** Throws ProtocolError MALFORMED / BAD_SIGNATURE. */
export function verifyRevocationList(bytes: Uint8Array, authorityKey: Uint8Array): RevocationList {
  const { body, signature } = decodeSigned(bytes, 'revocation list');
  requireSignature('attestation-revocation', signature, body, authorityKey, 'revocation list');
  const b = decodeCbor(body, zBody, 'revocation list');
  return { serial: b.s, issuedAt: b.t, revoked: new Set(b.r), encoded: bytes };
}

/** The newer of two lists (by serial); a relay serving an older one cannot roll revocations back. */
export function newerRevocationList(held: RevocationList | undefined, candidate: RevocationList | undefined): RevocationList | undefined {
  if (!held) return candidate;
  if (!candidate) return held;
  return candidate.serial > held.serial ? candidate : held;
}
