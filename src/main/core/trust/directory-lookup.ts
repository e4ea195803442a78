/**
 * The "new chat" search. A verified user searches the relay's directory; every hit carries the
 * authority's attestation and is shown only if this desktop verifies it (signature, account id
 * bound to the attested key, time, revocations). An unverified user — the relay answers
 * NOT_VERIFIED — or a desktop without an authority key searches only the contacts it already has.
 */
import type { DirectoryEntry } from '../../../shared/api';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import { DIRECTORY_SEARCH_MAX_RESULTS } from '../../../shared/limits';
import type { AccountId } from '../../../shared/protocol/ids';
import type { RevocationList } from '../../../shared/trust/revocation-list';
import { evaluateAttestation } from '../../../shared/trust/verification-status';
import { verifyVerificationAttestation } from '../../../shared/trust/verification-attestation';
import type { RelayClient } from '../../../shared/wire/relay-client';
import { CoreError } from '../core-error';
import type { CoreLogger } from '../logging';
import type { Contact } from '../store/contacts';

export interface DirectoryLookupDeps {
  readonly authorityKey: Uint8Array | null;
  readonly relay: () => Pick<RelayClient, 'searchDirectory'> | null;
  readonly contacts: () => readonly Contact[];
  readonly badges: (accountId: AccountId) => DirectoryEntry['verification'];
  readonly revocations: () => RevocationList | undefined;
  readonly ownAccountId: AccountId;
  readonly clock: Clock;
  readonly log: CoreLogger;
}

export interface DirectoryResult {
  readonly scope: 'directory' | 'contacts';
  readonly results: DirectoryEntry[];
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export async function searchDirectory(d: DirectoryLookupDeps, query: string): Promise<DirectoryResult> {
  const relay = d.relay();
  if (d.authorityKey && relay) {
    try {
      const hits = await relay.searchDirectory(query);
      return { scope: 'directory', results: hits.flatMap((h) => verifiedEntry(d, d.authorityKey!, h)) };
    } catch (e) {
      const code = isWardlineError(e) ? e.code : 'INTERNAL';
      if (code === 'CLOSED' || code === 'TIMEOUT') throw new CoreError('RELAY_UNAVAILABLE', 'directory', { cause: e });
      if (code !== 'NOT_VERIFIED' && code !== 'NO_AUTHORITY') d.log.warn({ code }, 'directory search failed');
    }
  }
  return { scope: 'contacts', results: searchContacts(d, query) };
}

function verifiedEntry(d: DirectoryLookupDeps, authorityKey: Uint8Array, hit: { accountId: AccountId; attestation: Uint8Array }): DirectoryEntry[] {
  if (hit.accountId === d.ownAccountId) return [];
  try {
    // The attested key is bound to the account id by hashing, so checking the id is checking the key.
    const a = verifyVerificationAttestation(hit.attestation, authorityKey, { now: d.clock.now() });
    if (a.accountId !== hit.accountId) return [];
    const outcome = evaluateAttestation(hit.attestation, { authorityKey, revocations: d.revocations() }, { identityKey: a.identityKey, now: d.clock.now() });
    if (!outcome.verified) return [];
    return [
      {
        accountId: a.accountId,
        displayName: a.name,
        ...(a.profession ? { profession: a.profession } : {}),
        ...(a.organisation ? { organisation: a.organisation } : {}),
        ...(a.city ? { city: a.city } : {}),
        verification: outcome.badges,
      },
    ];
  } catch (e) {
    d.log.info({ accountId: hit.accountId, code: isWardlineError(e) ? e.code : 'MALFORMED' }, 'directory hit refused');
    return [];
  }
}

function searchContacts(d: DirectoryLookupDeps, query: string): DirectoryEntry[] {
  const terms = fold(query).split(/\s+/).filter(Boolean);
  return d
    .contacts()
    .filter((c) => {
      const text = fold([c.displayName, c.profession ?? '', c.organisation ?? ''].join('\n'));
      return terms.every((t) => text.includes(t));
    })
    .slice(0, DIRECTORY_SEARCH_MAX_RESULTS)
    .map((c) => ({
      accountId: c.accountId,
      displayName: c.displayName,
      ...(c.profession ? { profession: c.profession } : {}),
      ...(c.organisation ? { organisation: c.organisation } : {}),
      verification: d.badges(c.accountId as AccountId),
    }));
}
