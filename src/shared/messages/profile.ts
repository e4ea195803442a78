/** What a contact sees of an account: shown to people, never used for a security decision. */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import { PROFILE_FIELD_MAX_CHARS } from '../limits';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey, zAccountId } from '../protocol/ids';
import type { AccountIdentity } from '../protocol/identity';
import { decodeSigned, encodeSigned, requireSignature } from '../protocol/signing';

export interface Profile {
  readonly displayName: string;
  readonly profession: string;
}

const zField = z.string().max(PROFILE_FIELD_MAX_CHARS);

/** CBOR layout of a profile wherever it is embedded: { n: displayName, p: profession }. */
export const zProfileWire = z.object({ n: zField.min(1), p: zField }).strict();

export function profileToWire(p: Profile): { n: string; p: string } {
  return { n: p.displayName, p: p.profession };
}

export function profileFromWire(w: z.infer<typeof zProfileWire>): Profile {
  return { displayName: w.n, profession: w.p };
}

/**
 * The profile as the account publishes it at the relay: attestation "profile", signed by the
 * account identity (purpose 'attestation') so the relay cannot put words in someone's mouth.
 *   body: { v: 1, a: AccountId, n: displayName, p: profession, t: issuedAt ms }
 */
export const PROFILE_ATTESTATION_NAME = 'profile';
const zProfileAttestation = z.object({ v: z.literal(1), a: zAccountId, ...zProfileWire.shape, t: z.number().int().nonnegative() }).strict();

export function signProfileAttestation(account: AccountIdentity, profile: Profile, issuedAt: number): Uint8Array {
  return encodeSigned('attestation', encodeCbor({ v: 1, a: account.accountId, ...profileToWire(profile), t: issuedAt }), account.identity.secretKey.bytes);
}

/** Throws ProtocolError MALFORMED / BAD_SIGNATURE / IDENTITY_MISMATCH. */
export function verifyProfileAttestation(bytes: Uint8Array, identityKey: Uint8Array): Profile & { readonly issuedAt: number } {
  const { body, signature } = decodeSigned(bytes, 'profile attestation');
  const p = decodeCbor(body, zProfileAttestation, 'profile attestation');
  if (p.a !== accountIdFromIdentityKey(identityKey)) throw new ProtocolError('IDENTITY_MISMATCH', 'profile attestation: another account');
  requireSignature('attestation', signature, body, identityKey, 'profile attestation');
  return { displayName: p.n, profession: p.p, issuedAt: p.t };
}
