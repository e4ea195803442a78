/**
 * The phone's side of discoverable groups: publish or withdraw a listing, search (verified
 * accounts only — the relay enforces it), and ask a listing's approvers to be added.
 */
import { isWardlineError } from '../shared/errors';
import type { GroupActor } from '../shared/groups/group-change';
import { signGroupListing, verifyGroupListing, type GroupListing } from '../shared/groups/group-listing';
import type { GroupState } from '../shared/groups/group-state';
import { VERIFICATION_ATTESTATION_NAME } from '../shared/trust/verification-attestation';
import { sendToAccounts } from './phone-group-fan-out';
import type { MessagingContext } from './phone-messaging';
import { PhoneError } from './phone-error';

export async function publishGroupListing(ctx: MessagingContext, actor: GroupActor & { readonly identityKey: Uint8Array }, state: GroupState, now: number): Promise<void> {
  await ctx.client.publishGroupListing(signGroupListing(actor, state, now));
}

/** Listings matching `query`, each verified here (the relay's answer is not trusted); withdrawn ones left out. */
export async function searchGroupListings(ctx: MessagingContext, query: string, log: (event: string, fields?: Record<string, string>) => void): Promise<GroupListing[]> {
  const found: GroupListing[] = [];
  for (const bytes of await ctx.client.searchGroups(query)) {
    try {
      const listing = verifyGroupListing(bytes);
      if (listing.listed) found.push(listing);
    } catch (e) {
      log('group-listing-refused', { code: isWardlineError(e) ? e.code : 'INTERNAL' });
    }
  }
  return found;
}

/** Sends a join request, with this account's verification attestation when it has one, to the listing's approvers. */
export async function requestToJoin(ctx: MessagingContext, self: GroupActor, listing: GroupListing, note?: string): Promise<void> {
  const attestation = (await ctx.client.getAttestations(self.accountId)).find((a) => a.name === VERIFICATION_ATTESTATION_NAME)?.blob;
  const sent = await sendToAccounts(
    ctx,
    listing.approvers,
    { kind: 'group-join-request', groupId: listing.groupId, ...(attestation ? { attestation } : {}), ...(note ? { note } : {}) },
    { ownCopies: false },
  );
  if (sent.envelopes === 0) throw new PhoneError('UNREACHABLE', 'no approver could be reached');
}
