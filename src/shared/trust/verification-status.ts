/**
 * What a client shows for an account: the badges an attestation earns after every check —
 * authority signature, the identity key the client verified itself, time, and the revocation
 * list. Anything short of that is "unverified"; the reason is a code for logs, never a badge.
 */
import { isWardlineError } from '../errors';
import type { RevocationList } from './revocation-list';
import { verifyVerificationAttestation, type VerificationAttestation } from './verification-attestation';

export interface VerificationBadges {
  readonly identity: boolean;
  readonly registration: boolean;
}

export const UNVERIFIED: VerificationBadges = { identity: false, registration: false };

export type VerificationOutcome =
  | { readonly verified: true; readonly attestation: VerificationAttestation; readonly badges: VerificationBadges }
  | { readonly verified: false; readonly reason: string; readonly badges: VerificationBadges };

export interface TrustAnchor {
  /** The verification authority's Ed25519 public key the client ships with or is configured with. */
  readonly authorityKey: Uint8Array;
  readonly revocations?: RevocationList | undefined;
}

export function evaluateAttestation(
  bytes: Uint8Array | undefined,
  anchor: TrustAnchor,
  subject: { readonly identityKey: Uint8Array; readonly now: number },
): VerificationOutcome {
  if (!bytes) return { verified: false, reason: 'NONE', badges: UNVERIFIED };
  let attestation: VerificationAttestation;
  try {
    attestation = verifyVerificationAttestation(bytes, anchor.authorityKey, subject);
  } catch (e) {
    return { verified: false, reason: isWardlineError(e) ? e.code : 'MALFORMED', badges: UNVERIFIED };
  }
  if (anchor.revocations?.revoked.has(attestation.id)) return { verified: false, reason: 'REVOKED', badges: UNVERIFIED };
  return { verified: true, attestation, badges: { identity: true, registration: attestation.level === 'registration' } };
}
