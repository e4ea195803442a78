/**
 * Discoverable groups: an admin publishes a signed listing (name, description, where join
 * requests go) to the relay; a verified user searches the listings (the relay refuses an
 * unverified account with NOT_VERIFIED) and sends an end-to-end encrypted join request to the
 * listing's approvers. Every listing is verified here: a relay cannot invent a group or redirect
 * join requests to someone who is not a moderator or admin by the listing's own signature.
 */
import type { DiscoverableGroup } from '../../../shared/api';
import { constantTimeEqual } from '../../../shared/bytes';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import type { GroupActor } from '../../../shared/groups/group-change';
import { signGroupListing, verifyGroupListing, type GroupListing } from '../../../shared/groups/group-listing';
import { encodeContent, type AnyContent } from '../../../shared/messages/content';
import type { AccountId } from '../../../shared/protocol/ids';
import type { CoreLogger } from '../logging';
import type { AccountStore } from '../store/account-store';
import type { StoredGroup } from '../store/groups';
import { GroupCoreError } from './group-core-error';
import { fromStored } from './group-records';
import type { GroupSender } from './group-sender';

export interface GroupListingRelay {
  publishGroupListing(listing: Uint8Array): Promise<void>;
  searchGroups(query: string): Promise<readonly Uint8Array[]>;
}

export interface GroupDirectoryDeps {
  readonly store: AccountStore;
  readonly clock: Clock;
  readonly log: CoreLogger;
  readonly actor: GroupActor & { readonly identityKey: Uint8Array };
  readonly relay: () => GroupListingRelay | null;
  readonly sender: GroupSender;
  /** The identity key of an approver, from its verified device list (pins it as a contact). */
  readonly identityKeyFor: (accountId: AccountId) => Promise<Uint8Array>;
}

/** Most listings remembered from searches (for the join request that follows). */
const REMEMBERED_LISTINGS = 200;

export class GroupDirectory {
  readonly #d: GroupDirectoryDeps;
  readonly #seen = new Map<string, GroupListing>();

  constructor(deps: GroupDirectoryDeps) {
    this.#d = deps;
  }

  /** Publishes (or withdraws, when the group is no longer discoverable) the group's listing. */
  async publish(group: StoredGroup): Promise<void> {
    const relay = this.#relay();
    const listing = signGroupListing(this.#d.actor, fromStored(group), this.#d.clock.now());
    try {
      await relay.publishGroupListing(listing);
    } catch (err) {
      throw relayRefusal(err);
    }
  }

  async search(query: string): Promise<DiscoverableGroup[]> {
    const relay = this.#relay();
    let hits: readonly Uint8Array[];
    try {
      hits = await relay.searchGroups(query);
    } catch (err) {
      throw relayRefusal(err);
    }
    const out: DiscoverableGroup[] = [];
    for (const bytes of hits) {
      let listing: GroupListing;
      try {
        listing = verifyGroupListing(bytes);
      } catch (err) {
        this.#d.log.warn({ code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'group listing refused');
        continue;
      }
      if (!listing.listed) continue;
      this.#remember(listing);
      const stored = this.#d.store.groups.get(listing.groupId);
      out.push({
        groupId: listing.groupId,
        name: listing.name,
        ...(listing.description ? { description: listing.description } : {}),
        member: stored !== null && !stored.removed,
      });
    }
    return out;
  }

  /** Sends the join request to the approvers of a listing found by an earlier search. */
  async requestJoin(groupId: string, note?: string): Promise<void> {
    const listing = this.#seen.get(groupId);
    if (!listing) throw new GroupCoreError('NOT_FOUND', 'listing');
    // The listing's signer must be who it claims: its key is the one its device list carries.
    const actorKey = await this.#d.identityKeyFor(listing.actor).catch(() => undefined);
    if (!actorKey || !constantTimeEqual(actorKey, listing.actorIdentityKey)) throw new GroupCoreError('NOT_FOUND', 'listing signer');
    const expectedKeys = new Map<AccountId, Uint8Array>();
    for (const approver of listing.approvers) {
      const key = await this.#d.identityKeyFor(approver).catch(() => undefined);
      if (key) expectedKeys.set(approver, key);
    }
    if (expectedKeys.size === 0) throw new GroupCoreError('NOT_FOUND', 'approvers');
    const content: AnyContent = { kind: 'group-join-request', groupId: listing.groupId, ...(note ? { note } : {}) };
    const outcome = await this.#d.sender.send([...expectedKeys.keys()], encodeContent(content), { expectedKeys, includeOwn: false });
    if (outcome.reachedAccounts === 0) throw new GroupCoreError('RELAY_UNAVAILABLE', 'join request not delivered');
  }

  #remember(listing: GroupListing): void {
    this.#seen.delete(listing.groupId);
    this.#seen.set(listing.groupId, listing);
    while (this.#seen.size > REMEMBERED_LISTINGS) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
  }

  #relay(): GroupListingRelay {
    const relay = this.#d.relay();
    if (!relay) throw new GroupCoreError('RELAY_UNAVAILABLE', 'relay not connected');
    return relay;
  }
}

function relayRefusal(err: unknown): unknown {
  if (isWardlineError(err) && err.code === 'NOT_VERIFIED') return new GroupCoreError('NOT_VERIFIED', 'relay', { cause: err });
  if (isWardlineError(err) && err.code === 'CLOSED') return new GroupCoreError('RELAY_UNAVAILABLE', 'relay', { cause: err });
  return err;
}
