/**
 * The relay's directory of discoverable groups (docs/trust-and-groups.md, "Groups"). An admin's
 * device publishes a signed listing; the relay checks the listing's own signature chain, that it
 * was signed for the authenticated account under the identity key pinned for it, and that a group
 * already listed by someone else is only relisted or withdrawn by an approver named in the listing
 * held. The relay cannot know who really administers a group (it never sees group state): a
 * squatter's listing only misroutes join requests, since joining takes an add that the group's
 * members check themselves. Only verified accounts may search.
 */
import { constantTimeEqual } from '../src/shared/bytes';
import type { Clock } from '../src/shared/clock';
import { isWardlineError } from '../src/shared/errors';
import { verifyGroupListing, type GroupListing } from '../src/shared/groups/group-listing';
import { GROUP_CHANGE_CLOCK_SKEW_MS, GROUP_LISTINGS_MAX_PER_ACCOUNT, GROUP_SEARCH_MAX_RESULTS } from '../src/shared/limits';
import type { AccountId } from '../src/shared/protocol/ids';
import { RelayError, type RelayErrorCode } from '../src/shared/wire/relay-error';
import type { AttestationAuthority } from './attestation-authority';
import type { RelayDatabase } from './database';
import type { Directory } from './directory';
import { foldForSearch } from './directory-search';

/** Most query terms matched (each one must occur); further terms are ignored. */
const MAX_TERMS = 8;

const LISTING_CODES: readonly RelayErrorCode[] = ['MALFORMED', 'BAD_SIGNATURE', 'BAD_CERTIFICATE', 'IDENTITY_MISMATCH'];

function checkedListing(bytes: Uint8Array): GroupListing {
  try {
    return verifyGroupListing(bytes);
  } catch (e) {
    if (!isWardlineError(e)) throw e;
    const code = (LISTING_CODES as readonly string[]).includes(e.code) ? (e.code as RelayErrorCode) : 'MALFORMED';
    throw new RelayError(code, 'group listing refused');
  }
}

interface ListingRow {
  readonly account_id: string;
  readonly approvers: string;
  readonly issued_at: number;
}

export class GroupListings {
  readonly #db: RelayDatabase;
  readonly #directory: Directory;
  readonly #authority: AttestationAuthority;
  readonly #clock: Clock;

  constructor(db: RelayDatabase, directory: Directory, authority: AttestationAuthority, clock: Clock) {
    this.#db = db;
    this.#directory = directory;
    this.#authority = authority;
    this.#clock = clock;
  }

  /** Stores (or, for `listed: false`, removes) the listing. Throws RelayError. An older listing than the one held is ignored. */
  publish(account: AccountId, bytes: Uint8Array): void {
    const listing = checkedListing(bytes);
    if (listing.actor !== account) throw new RelayError('IDENTITY_MISMATCH', 'listing signed for another account');
    const pinned = this.#directory.account(account)?.identityKey;
    if (!pinned) throw new RelayError('UNKNOWN_ACCOUNT');
    if (!constantTimeEqual(pinned, listing.actorIdentityKey)) throw new RelayError('IDENTITY_MISMATCH', 'listing under another identity key');
    if (listing.issuedAt > this.#clock.now() + GROUP_CHANGE_CLOCK_SKEW_MS) throw new RelayError('MALFORMED', 'listing issued in the future');
    const held = this.#db.prepare('SELECT account_id, approvers, issued_at FROM group_listings WHERE group_id = ?').get(listing.groupId) as ListingRow | undefined;
    if (held) {
      const approvers = JSON.parse(held.approvers) as string[];
      if (held.account_id !== account && !approvers.includes(account)) throw new RelayError('NOT_ALLOWED', 'group listed by another account');
      if (listing.issuedAt <= held.issued_at) return;
    } else {
      const count = (this.#db.prepare('SELECT count(*) AS n FROM group_listings WHERE account_id = ?').get(account) as { n: number }).n;
      if (count >= GROUP_LISTINGS_MAX_PER_ACCOUNT) throw new RelayError('QUOTA_EXCEEDED', 'too many group listings');
    }
    this.#db
      .prepare(
        `INSERT INTO group_listings (group_id, account_id, approvers, issued_at, name, search_text, listing) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (group_id) DO UPDATE SET account_id = excluded.account_id, approvers = excluded.approvers, issued_at = excluded.issued_at,
           name = excluded.name, search_text = excluded.search_text, listing = excluded.listing`,
      )
      // A withdrawal stays as a tombstone with no search text: it matches nothing, and an older listing replayed later is still ignored.
      .run(listing.groupId, account, JSON.stringify(listing.approvers), listing.issuedAt, listing.name, listing.listed ? foldForSearch(`${listing.name}\n${listing.description ?? ''}`) : '', bytes);
  }

  /** Listings whose name or description holds every term, sorted by name. NOT_VERIFIED unless the requester is verified. */
  search(requester: AccountId, query: string): { b: Uint8Array }[] {
    if (!this.#authority.configured) throw new RelayError('NO_AUTHORITY');
    if (!this.#authority.isVerified(requester)) throw new RelayError('NOT_VERIFIED');
    const terms = foldForSearch(query).split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
    if (terms.length === 0) return [];
    const where = terms.map(() => 'instr(search_text, ?) > 0').join(' AND ');
    const rows = this.#db
      .prepare(`SELECT listing FROM group_listings WHERE ${where} ORDER BY name, group_id LIMIT ?`)
      .all(...terms, GROUP_SEARCH_MAX_RESULTS) as { listing: Uint8Array }[];
    return rows.map((r) => ({ b: new Uint8Array(r.listing) }));
  }
}
