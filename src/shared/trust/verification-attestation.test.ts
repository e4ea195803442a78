import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { decodeSigned } from '../protocol/signing';
import { DAY_MS } from '../limits';
import { z } from 'zod';
import { authorityAccountId, newerRevocationList, signRevocationList, verifyRevocationList } from './revocation-list';
import { issueVerificationAttestation, verifyVerificationAttestation, type VerificationClaims } from './verification-attestation';
import { evaluateAttestation } from './verification-status';

const T0 = 1_800_000_000_000;
const authority = ed25519.keygen();
const mallory = ed25519.keygen();
const alice = ed25519.keygen().publicKey;
const bob = ed25519.keygen().publicKey;
const claims: VerificationClaims = {
  level: 'registration',
  registration: { scheme: 'RIZIV', number: '12345625004' },
  name: 'Dr. An Peeters',
  profession: 'GP',
  organisation: 'Huisartsenpraktijk Zuid',
  city: 'Gent',
};
const issue = (c: VerificationClaims = claims, subject = alice, o: { t?: number; x?: number; id?: string } = {}) =>
  issueVerificationAttestation(authority.secretKey, c, { identityKey: subject, issuedAt: o.t ?? T0, expiresAt: o.x ?? T0 + 30 * DAY_MS, ...(o.id ? { id: o.id } : {}) });

describe('verification attestations', () => {
  it('round-trips the claims for the identity key it names', () => {
    const a = verifyVerificationAttestation(issue(), authority.publicKey, { identityKey: alice, now: T0 + 1000 });
    expect(a).toMatchObject({ level: 'registration', registration: claims.registration, name: claims.name, city: 'Gent', issuedAt: T0 });
    expect(evaluateAttestation(issue(), { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 }).badges).toEqual({ identity: true, registration: true });
    const idOnly = issue({ level: 'identity', name: 'Sam', profession: 'nurse' });
    expect(evaluateAttestation(idOnly, { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 }).badges).toEqual({ identity: true, registration: false });
  });

  it('is refused when signed by anyone but the authority (a relay forging a badge)', () => {
    const forged = issueVerificationAttestation(mallory.secretKey, claims, { identityKey: alice, issuedAt: T0, expiresAt: T0 + DAY_MS });
    expect(() => verifyVerificationAttestation(forged, authority.publicKey, { identityKey: alice, now: T0 })).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    const o = evaluateAttestation(forged, { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 });
    expect(o).toMatchObject({ verified: false, reason: 'BAD_SIGNATURE', badges: { identity: false, registration: false } });
  });

  it('is refused for another identity key (a relay serving Bob’s badge as Alice’s)', () => {
    const o = evaluateAttestation(issue(claims, bob), { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 });
    expect(o).toMatchObject({ verified: false, reason: 'IDENTITY_MISMATCH' });
  });

  it('is refused when tampered with', () => {
    const bytes = issue();
    const { body, signature } = decodeSigned(bytes, 't');
    const b = decodeCbor(body, z.record(z.string(), z.unknown()), 't');
    const tampered = encodeCbor({ b: encodeCbor({ ...b, l: 'registration', n: 'Dr. Someone Else' }), s: signature });
    expect(evaluateAttestation(tampered, { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 })).toMatchObject({ verified: false, reason: 'BAD_SIGNATURE' });
    expect(evaluateAttestation(new Uint8Array([1, 2, 3]), { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 })).toMatchObject({ verified: false, reason: 'MALFORMED' });
  });

  it('is refused once expired or before it was issued', () => {
    const bytes = issue(claims, alice, { x: T0 + DAY_MS });
    expect(evaluateAttestation(bytes, { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 + DAY_MS })).toMatchObject({ reason: 'EXPIRED' });
    expect(evaluateAttestation(bytes, { authorityKey: authority.publicKey }, { identityKey: alice, now: T0 - DAY_MS })).toMatchObject({ reason: 'EXPIRED' });
  });

  it('cannot be issued with a bad registration number, no registration, or too long a life', () => {
    expect(() => issue({ ...claims, registration: { scheme: 'RIZIV', number: '12345626004' } })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => issue({ level: 'registration', name: 'X', profession: 'GP' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => issue(claims, alice, { x: T0 + 91 * DAY_MS })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });
});

describe('revocation lists', () => {
  it('make a revoked attestation unverified', () => {
    const id = 'ab'.repeat(16);
    const list = verifyRevocationList(signRevocationList(authority.secretKey, 1, [id], T0), authority.publicKey);
    const bytes = issue(claims, alice, { id });
    expect(evaluateAttestation(bytes, { authorityKey: authority.publicKey, revocations: list }, { identityKey: alice, now: T0 })).toMatchObject({ verified: false, reason: 'REVOKED' });
    expect(evaluateAttestation(issue(), { authorityKey: authority.publicKey, revocations: list }, { identityKey: alice, now: T0 }).verified).toBe(true);
  });

  it('only count when signed by the authority, and never roll back', () => {
    expect(() => verifyRevocationList(signRevocationList(mallory.secretKey, 9, [], T0), authority.publicKey)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    const one = verifyRevocationList(signRevocationList(authority.secretKey, 1, ['cd'.repeat(16)], T0), authority.publicKey);
    const two = verifyRevocationList(signRevocationList(authority.secretKey, 2, ['cd'.repeat(16), 'ef'.repeat(16)], T0), authority.publicKey);
    expect(newerRevocationList(two, one)).toBe(two);
    expect(newerRevocationList(one, two)).toBe(two);
    expect(newerRevocationList(undefined, one)).toBe(one);
  });

  it('live under the authority’s own pseudo-account', () => {
    expect(authorityAccountId(authority.publicKey)).toMatch(/^[0-9a-f]{32}$/);
  });
});
