/**
 * The relay's side of verification (docs/trust-and-groups.md). With `--authority-key` the relay
 * knows the verification authority's public key and:
 * - accepts authority-signed attestations for any account (`publish-verification`): the
 *   signature is the authentication, so the admin CLI needs no account of its own; the
 *   attestation must name the identity key pinned for the account and be valid now;
 * - accepts the authority's signed revocation list (`publish-revocations`), only ever newer;
 * - answers "is this account verified?" for the directory, with the same checks a client makes.
 * Clients never trust this answer for badges: they verify the attestation themselves.
 */
import { constantTimeEqual } from '../src/shared/bytes';
import type { Clock } from '../src/shared/clock';
import { ProtocolError } from '../src/shared/errors';
import type { AccountId } from '../src/shared/protocol/ids';
import { authorityAccountId, REVOCATION_LIST_NAME, verifyRevocationList, type RevocationList } from '../src/shared/trust/revocation-list';
import {
  hasAuthoritySignature,
  readUncheckedAttestation,
  VERIFICATION_ATTESTATION_NAME,
  verifyVerificationAttestation,
  type VerificationAttestation,
} from '../src/shared/trust/verification-attestation';
import { RelayError } from '../src/shared/wire/relay-error';
import { asRelayError } from './account-publishing';
import type { Directory } from './directory';
import type { Logger } from './logging';

/** Names only the authority may write: devices are refused them in `put-attestation`. */
export const AUTHORITY_ATTESTATION_NAMES: readonly string[] = [VERIFICATION_ATTESTATION_NAME, REVOCATION_LIST_NAME];

export interface IndexEntry {
  readonly attestation: VerificationAttestation;
  /** Authority signature, checked at publication or lazily after a restart. */
  signatureOk?: boolean;
  /** The directory's search text, computed on first search. */
  searchText?: string;
}

export class AttestationAuthority {
  readonly #key: Uint8Array | null;
  /** Verified attestations by account, loaded from the store on first use. */
  #index: Map<AccountId, IndexEntry> | undefined;
  #revocations: RevocationList | undefined;
  #revocationsLoaded = false;

  constructor(
    private readonly directory: Directory,
    authorityKey: Uint8Array | null,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#key = authorityKey;
  }

  /** Another relay node stored an attestation or revocation list: reload both on next use. */
  invalidate(): void {
    this.#index = undefined;
    this.#revocations = undefined;
    this.#revocationsLoaded = false;
  }

  get configured(): boolean {
    return this.#key !== null;
  }

  publishVerification(bytes: Uint8Array): void {
    const key = this.#requireKey();
    const attestation = this.#check(bytes, key);
    if (!attestation) throw new RelayError('UNKNOWN_ACCOUNT');
    if (this.#revocationList()?.revoked.has(attestation.id)) throw new RelayError('REVOKED');
    const held = this.#loadIndex().get(attestation.accountId);
    // A replayed older attestation must not displace a newer valid one (e.g. an upgrade to 'registration').
    if (held && held.attestation.issuedAt > attestation.issuedAt && this.isValid(held)) return;
    if (!this.directory.putAttestation(attestation.accountId, VERIFICATION_ATTESTATION_NAME, bytes)) throw new RelayError('TOO_LARGE');
    this.#loadIndex().set(attestation.accountId, { attestation, signatureOk: true });
    this.log.info({ account: attestation.accountId, level: attestation.level }, 'verification published');
  }

  publishRevocations(bytes: Uint8Array): void {
    const key = this.#requireKey();
    let list: RevocationList;
    try {
      list = verifyRevocationList(bytes, key);
    } catch (e) {
      throw asRelayError(e);
    }
    const held = this.#revocationList();
    if (held && list.serial <= held.serial) throw new RelayError('STALE_DEVICE_LIST', 'revocation list not newer');
    if (!this.directory.putAttestation(authorityAccountId(key), REVOCATION_LIST_NAME, bytes)) throw new RelayError('TOO_LARGE');
    this.#revocations = list;
    this.log.info({ serial: list.serial, revoked: list.revoked.size }, 'revocation list published');
  }

  /** Whether the account holds an attestation that is valid now, unrevoked, for its pinned key. */
  isVerified(accountId: AccountId): boolean {
    return this.verified(accountId) !== undefined;
  }

  verified(accountId: AccountId): VerificationAttestation | undefined {
    const entry = this.#key ? this.#loadIndex().get(accountId) : undefined;
    return entry && this.isValid(entry) ? entry.attestation : undefined;
  }

  /**
   * Every stored attestation, not yet checked against time, revocation or signature: callers
   * filter cheaply first (the directory by text) and then call isValid() on the few that remain.
   */
  *candidates(): Iterable<IndexEntry> {
    if (this.#key) yield* this.#loadIndex().values();
  }

  /** Valid now: not expired, not revoked, for the pinned key, and (checked once) signed by the authority. */
  isValid(entry: IndexEntry): boolean {
    const a = entry.attestation;
    const pinned = this.directory.account(a.accountId)?.identityKey;
    if (a.expiresAt <= this.clock.now() || this.#revocationList()?.revoked.has(a.id) || !pinned || !constantTimeEqual(pinned, a.identityKey)) return false;
    // Stored attestations were verified when published; the signature is checked again lazily
    // once per process so a relay restarted with another authority key never lists the old ones.
    entry.signatureOk ??= this.#key !== null && hasAuthoritySignature(a.encoded, this.#key);
    return entry.signatureOk;
  }

  /** The verified attestation, or undefined when its account is unknown here. Throws RelayError. */
  #check(bytes: Uint8Array, key: Uint8Array): VerificationAttestation | undefined {
    let a: VerificationAttestation;
    try {
      a = verifyVerificationAttestation(bytes, key, { now: this.clock.now() });
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'EXPIRED') throw new RelayError('EXPIRED');
      throw asRelayError(e);
    }
    const pinned = this.directory.account(a.accountId)?.identityKey;
    if (!pinned) return undefined;
    if (!constantTimeEqual(pinned, a.identityKey)) throw new RelayError('IDENTITY_MISMATCH');
    return a;
  }

  #requireKey(): Uint8Array {
    if (!this.#key) throw new RelayError('NO_AUTHORITY');
    return this.#key;
  }

  #revocationList(): RevocationList | undefined {
    if (!this.#revocationsLoaded && this.#key) {
      this.#revocationsLoaded = true;
      const blob = this.directory.attestations(authorityAccountId(this.#key)).find((x) => x.n === REVOCATION_LIST_NAME)?.b;
      if (blob) this.#revocations = this.#tryRevocations(blob, this.#key);
    }
    return this.#revocations;
  }

  #tryRevocations(blob: Uint8Array, key: Uint8Array): RevocationList | undefined {
    try {
      return verifyRevocationList(blob, key);
    } catch {
      // Signed by another authority key (the relay was reconfigured): not ours to apply.
      return undefined;
    }
  }

  #loadIndex(): Map<AccountId, IndexEntry> {
    if (this.#index) return this.#index;
    const index = new Map<AccountId, IndexEntry>();
    const now = this.clock.now();
    for (const row of this.directory.attestationsNamed(VERIFICATION_ATTESTATION_NAME)) {
      try {
        // No signature check here: thousands of them would stall the relay at start-up.
        const a = readUncheckedAttestation(row.blob);
        if (a.accountId === row.accountId && a.expiresAt > now) index.set(a.accountId, { attestation: a });
      } catch {
        // Not a well-formed attestation: never listed.
      }
    }
    this.#index = index;
    return index;
  }
}
