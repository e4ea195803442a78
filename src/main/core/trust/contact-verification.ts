/**
 * Contacts' verification badges, earned only by an attestation this desktop verified itself:
 * signed by the authority key it was configured with, about the identity key pinned for the
 * contact (from the device list this desktop verified), valid now, and not in the newest
 * revocation list seen. The relay only stores and serves bytes, so whatever it lies with
 * (a forged, transplanted, expired or revoked attestation) ends as "unverified".
 *
 * `badges()` answers synchronously from a cache (the API lists are synchronous) and refreshes
 * in the background; `refresh()` is awaited where the answer matters (starting a chat).
 */
import type { Verification } from '../../../shared/api';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import { constantTimeEqual } from '../../../shared/bytes';
import type { AccountId } from '../../../shared/protocol/ids';
import { authorityAccountId, newerRevocationList, REVOCATION_LIST_NAME, verifyRevocationList, type RevocationList } from '../../../shared/trust/revocation-list';
import { VERIFICATION_ATTESTATION_NAME, type VerificationAttestation } from '../../../shared/trust/verification-attestation';
import { evaluateAttestation, UNVERIFIED } from '../../../shared/trust/verification-status';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { CoreLogger } from '../logging';

/** What this needs of the relay client (tests pass a lying one). */
export type AttestationSource = Pick<RelayClient, 'getAttestations'>;

/** How long a checked answer is reused before asking the relay again (revocations, re-issue). */
export const VERIFICATION_RECHECK_MS = 10 * 60_000;

export interface ContactVerificationDeps {
  /** The verification authority's public key; null = no authority configured, nobody is verified. */
  readonly authorityKey: Uint8Array | null;
  readonly relay: () => AttestationSource | null;
  /** The identity key pinned for an account (contacts, and our own). */
  readonly identityKeyOf: (accountId: AccountId) => Uint8Array | undefined;
  readonly clock: Clock;
  readonly log: CoreLogger;
  /** Badges of some account changed (the UI lists should be re-read). */
  readonly changed: () => void;
}

interface Checked {
  readonly identityKey: Uint8Array;
  readonly attestation: VerificationAttestation | null;
  readonly checkedAt: number;
}

export class ContactVerification {
  readonly #d: ContactVerificationDeps;
  readonly #checked = new Map<AccountId, Checked>();
  readonly #inFlight = new Map<AccountId, Promise<Verification>>();
  #revocations: RevocationList | undefined;

  constructor(deps: ContactVerificationDeps) {
    this.#d = deps;
  }

  /** The badges as last checked, re-evaluated against time and revocations; refreshes when stale. */
  badges(accountId: AccountId): Verification {
    if (!this.#d.authorityKey) return UNVERIFIED;
    const now = this.#d.clock.now();
    const checked = this.#checked.get(accountId);
    if (!checked || now - checked.checkedAt > VERIFICATION_RECHECK_MS) this.#background(accountId);
    return checked ? this.#current(accountId, checked, now) : UNVERIFIED;
  }

  /** The attestation behind the badges (directory entries, own profile), if any. */
  attestation(accountId: AccountId): VerificationAttestation | null {
    const checked = this.#checked.get(accountId);
    if (!checked || !this.#current(accountId, checked, this.#d.clock.now()).identity) return null;
    return checked.attestation;
  }

  /** Fetches the attestation and the revocation list from the relay and checks them. */
  refresh(accountId: AccountId): Promise<Verification> {
    const running = this.#inFlight.get(accountId);
    if (running) return running;
    const p = this.#refresh(accountId).finally(() => this.#inFlight.delete(accountId));
    this.#inFlight.set(accountId, p);
    return p;
  }

  /** Takes revocation lists from elsewhere too (e.g. bundled); only a newer serial counts. */
  acceptRevocations(list: RevocationList): void {
    this.#revocations = newerRevocationList(this.#revocations, list);
  }

  get authorityKey(): Uint8Array | null {
    return this.#d.authorityKey;
  }

  /** The newest revocation list seen. */
  get revocations(): RevocationList | undefined {
    return this.#revocations;
  }

  get revocationSerial(): number {
    return this.#revocations?.serial ?? 0;
  }

  #current(accountId: AccountId, checked: Checked, now: number): Verification {
    const key = this.#d.authorityKey;
    const pinned = this.#d.identityKeyOf(accountId);
    if (!key || !checked.attestation || !pinned || !constantTimeEqual(pinned, checked.identityKey)) return UNVERIFIED;
    return evaluateAttestation(checked.attestation.encoded, { authorityKey: key, revocations: this.#revocations }, { identityKey: pinned, now }).badges;
  }

  #background(accountId: AccountId): void {
    if (this.#inFlight.has(accountId) || !this.#d.relay()) return;
    const before = this.#fingerprint(accountId);
    this.refresh(accountId)
      .then(() => {
        if (this.#fingerprint(accountId) !== before) this.#d.changed();
      })
      .catch((e: unknown) => this.#d.log.info({ accountId, code: isWardlineError(e) ? e.code : 'INTERNAL' }, 'verification check failed'));
  }

  #fingerprint(accountId: AccountId): string {
    const checked = this.#checked.get(accountId);
    const b = checked ? this.#current(accountId, checked, this.#d.clock.now()) : UNVERIFIED;
    return `${b.identity}/${b.registration}`;
  }

  async #refresh(accountId: AccountId): Promise<Verification> {
    const key = this.#d.authorityKey;
    const relay = this.#d.relay();
    const identityKey = this.#d.identityKeyOf(accountId);
    if (!key || !relay || !identityKey) return UNVERIFIED;
    const [subject, authority] = await Promise.all([relay.getAttestations(accountId), relay.getAttestations(authorityAccountId(key))]);
    const listBlob = authority.find((a) => a.name === REVOCATION_LIST_NAME)?.blob;
    if (listBlob) {
      try {
        this.acceptRevocations(verifyRevocationList(listBlob, key));
      } catch (e) {
        this.#d.log.warn({ code: isWardlineError(e) ? e.code : 'MALFORMED' }, 'relay served a bad revocation list');
      }
    }
    const now = this.#d.clock.now();
    const blob = subject.find((a) => a.name === VERIFICATION_ATTESTATION_NAME)?.blob;
    const outcome = evaluateAttestation(blob, { authorityKey: key, revocations: this.#revocations }, { identityKey, now });
    if (!outcome.verified && outcome.reason !== 'NONE') this.#d.log.info({ accountId, code: outcome.reason }, 'attestation refused');
    this.#checked.set(accountId, { identityKey, attestation: outcome.verified ? outcome.attestation : null, checkedAt: now });
    return outcome.badges;
  }
}
