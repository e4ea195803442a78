import { afterEach, describe, expect, it } from 'vitest';
import { createCertifiedDevice } from '../../../shared/protocol/device-certificate';
import { signDeviceList } from '../../../shared/protocol/device-list';
import type { AccountId } from '../../../shared/protocol/ids';
import type { AccountIdentity } from '../../../shared/protocol/identity';
import { createTestAccount } from '../../../shared/protocol/test-accounts';
import { DAY_MS, MESSAGE_RETENTION_MS } from '../../../shared/limits';
import { DeviceDirectory } from '../messaging/device-directory';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { requireAcknowledgedSafetyNumber } from './safety-number-guard';
import { DeviceNotices } from './device-notices';

let fixture: StoreFixture | undefined;
afterEach(() => fixture?.dispose());

/** A desktop's directory and notices over a store, with a relay serving `lists`. */
function setUp() {
  fixture = createStoreFixture();
  const store = fixture.store;
  const me = createTestAccount(['phone', 'desktop']);
  const lists = new Map<AccountId, Uint8Array>();
  const added: string[] = [];
  const ownSeen: number[] = [];
  const notices = new DeviceNotices(store.db, store.clock, (c) => added.push(c));
  const directory = new DeviceDirectory(
    { getDeviceList: (a) => Promise.resolve(lists.get(a) ?? null) },
    {
      pinned: (a) => store.contacts.get(a)?.identityKey,
      changed: () => undefined,
      listSeen: (list, same) => notices.seen(list, same),
      ownListSeen: (list) => ownSeen.push(list.version),
    },
    { accountId: me.accountId, identityKey: me.identity.identity.publicKey, list: me.list },
  );
  return { store, me, lists, added, ownSeen, notices, directory };
}

/** A list of `account` at `version` with a brand-new phone (what a restore publishes). */
function newPhoneList(account: AccountIdentity, version: number): Uint8Array {
  const { certificate } = createCertifiedDevice(account, 'phone', 'new phone', 0);
  return signDeviceList(account, version, [certificate], 0);
}

describe('"is using a new phone" notices', () => {
  it('adds one system line when a contact’s newer list, same identity, names a new phone', async () => {
    const t = setUp();
    const peer = createTestAccount(['phone', 'desktop']);
    t.lists.set(peer.accountId, peer.list.encoded);
    await t.directory.get(peer.accountId, { refresh: true });
    t.store.contacts.upsert({ accountId: peer.accountId, displayName: 'Dr Peer', identityKey: Uint8Array.from(peer.identity.identity.publicKey) });
    const conversation = t.store.conversations.ensureDirect(peer.accountId);

    // Only a desktop leaves: no news.
    t.lists.set(peer.accountId, signDeviceList(peer.identity, 2, [peer.devices[0]!.certificateBytes], 0));
    await t.directory.get(peer.accountId, { refresh: true });
    expect(t.notices.list(conversation.id)).toEqual([]);

    t.lists.set(peer.accountId, newPhoneList(peer.identity, 3));
    await t.directory.get(peer.accountId, { refresh: true });
    expect(t.notices.list(conversation.id).map((n) => n.kind)).toEqual(['new-phone']);
    expect(t.added).toEqual([conversation.id]);
    // Not a safety-number change: sending stays allowed.
    expect(() => requireAcknowledgedSafetyNumber(t.store.contacts, peer.accountId)).not.toThrow();

    // The same list again, or a replayed older one after a restart (empty cache), is no news.
    await t.directory.get(peer.accountId, { refresh: true });
    const restarted = setUpSameStore(t.store, t.me, t.lists);
    t.lists.set(peer.accountId, peer.list.encoded);
    await restarted.directory.get(peer.accountId, { refresh: true });
    expect(t.notices.list(conversation.id)).toHaveLength(1);
  });

  it('a changed identity key is the safety-number case, not a new-phone notice', async () => {
    const t = setUp();
    const peer = createTestAccount(['phone']);
    t.lists.set(peer.accountId, peer.list.encoded);
    await t.directory.get(peer.accountId, { refresh: true });
    t.store.contacts.upsert({ accountId: peer.accountId, displayName: 'Dr Peer', identityKey: Uint8Array.from(peer.identity.identity.publicKey) });
    const conversation = t.store.conversations.ensureDirect(peer.accountId);
    // Someone publishes under a new identity for the same id: it cannot, the id is the key's hash,
    // so the real case is a re-registered account whose first list the directory sees as "changed".
    const reKeyed = createTestAccount(['phone']);
    expect(t.notices.seen({ ...reKeyed.list, accountId: peer.accountId, version: 9 }, false)).toBe(false);
    t.store.contacts.upsert({ accountId: peer.accountId, displayName: 'Dr Peer', identityKey: Uint8Array.from(reKeyed.identity.identity.publicKey) });
    expect(t.notices.list(conversation.id)).toEqual([]);
    expect(() => requireAcknowledgedSafetyNumber(t.store.contacts, peer.accountId)).toThrow(expect.objectContaining({ code: 'SAFETY_NUMBER_CHANGED' }) as Error);
  });

  it('first sightings and contacts without a conversation get no line; lines expire with the 30-day rule', async () => {
    const t = setUp();
    const peer = createTestAccount(['phone']);
    t.lists.set(peer.accountId, newPhoneList(peer.identity, 4));
    await t.directory.get(peer.accountId, { refresh: true });
    t.lists.set(peer.accountId, newPhoneList(peer.identity, 5));
    await t.directory.get(peer.accountId, { refresh: true });
    expect(t.added).toEqual([]);

    const conversation = t.store.conversations.ensureDirect(peer.accountId);
    t.lists.set(peer.accountId, newPhoneList(peer.identity, 6));
    await t.directory.get(peer.accountId, { refresh: true });
    expect(t.notices.list(conversation.id)).toHaveLength(1);
    fixture!.clock.advance(MESSAGE_RETENTION_MS - DAY_MS);
    expect(t.notices.list(conversation.id)).toHaveLength(1);
    fixture!.clock.advance(DAY_MS);
    expect(t.notices.list(conversation.id)).toEqual([]);
  });

  it('reports our own newer lists, so a desktop the list no longer names can end its session', async () => {
    const t = setUp();
    t.lists.set(t.me.accountId, signDeviceList(t.me.identity, 2, [t.me.devices[0]!.certificateBytes], 0));
    const own = await t.directory.get(t.me.accountId, { refresh: true });
    expect(t.ownSeen).toEqual([1, 2]);
    expect(own.devices.some((d) => d.deviceId === t.me.devices[1]!.keys.deviceId)).toBe(false);
  });
});

/** A second directory over the same store: what a desktop has after a restart (empty list cache). */
function setUpSameStore(store: StoreFixture['store'], me: ReturnType<typeof createTestAccount>, lists: Map<AccountId, Uint8Array>) {
  const notices = new DeviceNotices(store.db, store.clock, () => undefined);
  const directory = new DeviceDirectory(
    { getDeviceList: (a) => Promise.resolve(lists.get(a) ?? null) },
    { pinned: (a) => store.contacts.get(a)?.identityKey, changed: () => undefined, listSeen: (list, same) => notices.seen(list, same) },
    { accountId: me.accountId, identityKey: me.identity.identity.publicKey, list: me.list },
  );
  return { directory, notices };
}
