/**
 * The professional directory: search by name, profession, organisation or city over the
 * accounts with a valid verification attestation. Only a requester that is itself verified may
 * search (NOT_VERIFIED otherwise); an unverified account sees only the contacts it already has,
 * on its own device. The fields come from the authority-signed attestation, so a listing cannot
 * claim a name or registration the authority did not check; hits carry the attestation so the
 * client verifies each one itself.
 */
import { DIRECTORY_SEARCH_MAX_RESULTS } from '../src/shared/limits';
import type { AccountId } from '../src/shared/protocol/ids';
import type { VerificationAttestation } from '../src/shared/trust/verification-attestation';
import { RelayError } from '../src/shared/wire/relay-error';
import type { AttestationAuthority, IndexEntry } from './attestation-authority';

export interface DirectoryHit {
  readonly a: AccountId;
  readonly b: Uint8Array;
}

/** Lower case without diacritics, so "Liège" is found by "liege". */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function searchText(entry: IndexEntry): string {
  const a = entry.attestation;
  return (entry.searchText ??= foldForSearch([a.name, a.profession, a.organisation ?? '', a.city ?? ''].join('\n')));
}

/**
 * At most DIRECTORY_SEARCH_MAX_RESULTS hits, sorted by name; a broad query gets the first ones
 * found and should be refined. Text is matched first so validity (revocation, expiry, the lazy
 * signature check) is only evaluated for entries that match.
 */
export function searchDirectory(authority: AttestationAuthority, requester: AccountId, query: string): DirectoryHit[] {
  if (!authority.configured) throw new RelayError('NO_AUTHORITY');
  if (!authority.isVerified(requester)) throw new RelayError('NOT_VERIFIED');
  const terms = foldForSearch(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [];
  const hits: VerificationAttestation[] = [];
  for (const entry of authority.candidates()) {
    if (entry.attestation.accountId === requester) continue;
    const text = searchText(entry);
    if (!terms.every((t) => text.includes(t)) || !authority.isValid(entry)) continue;
    hits.push(entry.attestation);
    if (hits.length === DIRECTORY_SEARCH_MAX_RESULTS) break;
  }
  hits.sort((x, y) => x.name.localeCompare(y.name) || x.accountId.localeCompare(y.accountId));
  return hits.map((a) => ({ a: a.accountId, b: a.encoded }));
}
