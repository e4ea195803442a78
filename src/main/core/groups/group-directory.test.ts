import { afterEach, describe, expect, it } from 'vitest';
import { createGroupChange } from '../../../shared/groups/group-change';
import { signGroupListing } from '../../../shared/groups/group-listing';
import { testGroupAccount } from '../../../shared/groups/group-test-actors';
import type { AccountId } from '../../../shared/protocol/ids';
import { RelayError } from '../../../shared/wire/relay-error';
import { createCoreLogger } from '../logging';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { GroupDirectory, type GroupListingRelay } from './group-directory';
import type { GroupSender } from './group-sender';

let fixture: StoreFixture | undefined;
afterEach(() => fixture?.dispose());

function setup(relayAnswer: () => Promise<readonly Uint8Array[]>) {
  const me = testGroupAccount();
  const admin = testGroupAccount();
  const impostor = testGroupAccount();
  fixture = createStoreFixture();
  const created = createGroupChange(admin, null, { op: 'create', kind: 'group', name: 'Regional GPs', discoverable: true, description: 'GPs of the region', members: [admin.as('admin')] }, 1);
  const listing = signGroupListing(admin, created.state, 2);
  const sent: { to: readonly AccountId[]; bytes: Uint8Array }[] = [];
  const keys = new Map<AccountId, Uint8Array>([[admin.accountId, admin.identityKey]]);
  const relay: GroupListingRelay = { publishGroupListing: () => Promise.resolve(), searchGroups: relayAnswer };
  const sender = {
    send: (to: readonly AccountId[], bytes: Uint8Array) => {
      sent.push({ to, bytes });
      return Promise.resolve({ reachedAccounts: to.length, ownDevices: 0, failed: 0 });
    },
  } as unknown as GroupSender;
  const directory = new GroupDirectory({
    store: fixture.store,
    clock: fixture.clock,
    log: createCoreLogger({ level: 'silent' }),
    actor: me,
    relay: () => relay,
    sender,
    identityKeyFor: (a) => {
      const key = keys.get(a);
      return key ? Promise.resolve(key) : Promise.reject(new Error('unknown'));
    },
  });
  return { me, admin, impostor, created, listing, sent, keys, directory };
}

describe('GroupDirectory', () => {
  it('shows only listings whose signature checks out; a relay’s tampered or invented listing is left out', async () => {
    let answer: readonly Uint8Array[] = [];
    const t = setup(() => Promise.resolve(answer));
    const tampered = Uint8Array.from(t.listing);
    tampered[20]! ^= 0x01;
    answer = [tampered, new Uint8Array([1, 2, 3]), t.listing];
    expect(await t.directory.search('regional')).toEqual([{ groupId: t.created.state.groupId, name: 'Regional GPs', description: 'GPs of the region', member: false }]);
  });

  it('sends the join request only to the approvers of a listing it verified, after checking the signer’s key', async () => {
    const t = setup(() => Promise.resolve([t.listing]));
    await expect(t.directory.requestJoin(t.created.state.groupId, 'hello')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await t.directory.search('regional');
    // The directory serves another key for the listing's signer: no request goes anywhere.
    t.keys.set(t.admin.accountId, t.impostor.identityKey);
    await expect(t.directory.requestJoin(t.created.state.groupId, 'hello')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.sent).toEqual([]);
    t.keys.set(t.admin.accountId, t.admin.identityKey);
    await t.directory.requestJoin(t.created.state.groupId, 'hello');
    expect(t.sent.map((s) => s.to)).toEqual([[t.admin.accountId]]);
  });

  it('turns the relay’s refusal of an unverified account into NOT_VERIFIED', async () => {
    const t = setup(() => Promise.reject(new RelayError('NOT_VERIFIED', 'search')));
    await expect(t.directory.search('regional')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
  });
});
