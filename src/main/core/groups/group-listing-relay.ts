/** The relay client's discoverable-group frames, as GroupDirectory needs them. */
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { GroupListingRelay } from './group-directory';

export function groupListingRelay(client: RelayClient | null): GroupListingRelay | null {
  if (!client?.isOpen) return null;
  return {
    publishGroupListing: (listing) => client.publishGroupListing(listing),
    searchGroups: (query) => client.searchGroups(query),
  };
}
