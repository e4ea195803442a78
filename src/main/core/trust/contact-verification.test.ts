import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/clock';
import { DAY_MS } from '../../../shared/limits';
import { accountIdFromIdentityKey, type AccountId } from '../../../shared/protocol/ids';
import { authorityAccountId, REVOCATION_LIST_NAME, signRevocationList } from '../../../shared/trust/revocation-list';
import { issueVerificationAttestation, VERIFICATION_ATTESTATION_NAME, type VerificationClaims } from '../../../shared/trust/verification-attestation';
import { createCoreLogger } from '../logging';
import { ContactVerification, type AttestationSource } from './contact-verification';

const authority = ed25519.keygen();
const mallory = ed25519.keygen();
const alice = ed25519.keygen().publicKey;
const bob = ed25519.keygen().publicKey;
const ALICE = accountIdFromIdentityKey(alice);
const BOB = accountIdFromIdentityKey(bob);
const claims: VerificationClaims = { level: 'registration', registration: { scheme: 'BIG', number: '19012345601' }, name: 'Dr. A', profession: 'GP' };

/** A relay that serves whatever the test puts in it, per account and name. */
class ScriptedRelay implements AttestationSource {
  readonly store = new Map<string, Uint8Array>();
  put(accountId: string, name: string, blob: Uint8Array) {
    this.store.set(`${accountId}/${name}`, blob);
  }
  getAttestations(accountId: AccountId) {
    return Promise.resolve(
      [...this.store.entries()].filter(([k]) => k.startsWith(`${accountId}/`)).map(([k, blob]) => ({ name: k.slice(accountId.length + 1), blob })),
    );
  }
}

function setup(options: { authorityKey?: Uint8Array | null } = {}) {
  const clock = new FakeClock();
  const relay = new ScriptedRelay();
  const pins = new Map<AccountId, Uint8Array>([[ALICE, alice], [BOB, bob]]);
  let changes = 0;
  const trust = new ContactVerification({
    authorityKey: options.authorityKey === undefined ? authority.publicKey : options.authorityKey,
    relay: () => relay,
    identityKeyOf: (a) => pins.get(a),
    clock,
    log: createCoreLogger({ level: 'silent' }),
    changed: () => changes++,
  });
  const issue = (subject: Uint8Array, o: { by?: Uint8Array; id?: string; days?: number } = {}) =>
    issueVerificationAttestation(o.by ?? authority.secretKey, claims, {
      identityKey: subject,
      issuedAt: clock.now(),
      expiresAt: clock.now() + (o.days ?? 30) * DAY_MS,
      ...(o.id ? { id: o.id } : {}),
    });
  return { clock, relay, pins, trust, issue, changes: () => changes };
}

describe('contact verification badges', () => {
  it('come from an attestation the desktop verified itself', async () => {
    const { relay, trust, issue } = setup();
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice));
    expect(await trust.refresh(ALICE)).toEqual({ identity: true, registration: true });
    expect(trust.badges(ALICE)).toEqual({ identity: true, registration: true });
    expect(trust.attestation(ALICE)?.name).toBe('Dr. A');
  });

  it('stay off when the relay lies: forged, another account’s, or garbage', async () => {
    const { relay, trust, issue } = setup();
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice, { by: mallory.secretKey }));
    expect(await trust.refresh(ALICE)).toEqual({ identity: false, registration: false });
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(bob));
    expect(await trust.refresh(ALICE)).toEqual({ identity: false, registration: false });
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, new Uint8Array([0xa0]));
    expect(await trust.refresh(ALICE)).toEqual({ identity: false, registration: false });
    expect(trust.badges(ALICE).identity).toBe(false);
  });

  it('stay off for a revoked attestation, and an older list served later does not bring it back', async () => {
    const { relay, trust, issue, clock } = setup();
    const id = 'aa'.repeat(16);
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice, { id }));
    expect((await trust.refresh(ALICE)).identity).toBe(true);
    const authorityAccount = authorityAccountId(authority.publicKey);
    relay.put(authorityAccount, REVOCATION_LIST_NAME, signRevocationList(authority.secretKey, 2, [id], clock.now()));
    expect((await trust.refresh(ALICE)).identity).toBe(false);
    relay.put(authorityAccount, REVOCATION_LIST_NAME, signRevocationList(authority.secretKey, 1, [], clock.now()));
    expect((await trust.refresh(ALICE)).identity).toBe(false);
    relay.put(authorityAccount, REVOCATION_LIST_NAME, signRevocationList(mallory.secretKey, 3, [], clock.now()));
    expect((await trust.refresh(ALICE)).identity).toBe(false);
    expect(trust.revocationSerial).toBe(2);
  });

  it('expire with the attestation (FakeClock), without asking the relay', async () => {
    const { relay, trust, issue, clock } = setup();
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice, { days: 1 }));
    expect((await trust.refresh(ALICE)).identity).toBe(true);
    clock.advance(DAY_MS);
    expect(trust.badges(ALICE).identity).toBe(false);
  });

  it('drop when the contact’s pinned identity key changes', async () => {
    const { relay, trust, issue, pins } = setup();
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice));
    expect((await trust.refresh(ALICE)).identity).toBe(true);
    pins.set(ALICE, bob);
    expect(trust.badges(ALICE).identity).toBe(false);
  });

  it('are never given without a configured authority key', async () => {
    const { relay, trust, issue } = setup({ authorityKey: null });
    relay.put(ALICE, VERIFICATION_ATTESTATION_NAME, issue(alice));
    expect(await trust.refresh(ALICE)).toEqual({ identity: false, registration: false });
    expect(trust.badges(ALICE)).toEqual({ identity: false, registration: false });
  });

  it('refresh in the background on first sight and report the change', async () => {
    const { relay, trust, issue, changes } = setup();
    relay.put(BOB, VERIFICATION_ATTESTATION_NAME, issue(bob));
    expect(trust.badges(BOB).identity).toBe(false);
    await trust.refresh(BOB);
    expect(trust.badges(BOB).identity).toBe(true);
    expect(changes()).toBe(1);
  });
});
