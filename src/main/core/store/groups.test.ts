import { afterEach, describe, expect, it } from 'vitest';
import { createStoreFixture, type StoreFixture } from './store-fixture';
import type { StoredGroupState } from './groups';

let fixture: StoreFixture | undefined;
afterEach(() => fixture?.dispose());

const key = (n: number) => new Uint8Array(32).fill(n);
const state = (over: Partial<StoredGroupState> = {}): StoredGroupState => ({
  groupId: 'a'.repeat(32),
  kind: 'group',
  version: 1,
  name: 'Ward 4 MDT',
  description: null,
  picture: null,
  discoverable: false,
  hash: key(9),
  members: [
    { accountId: 'b'.repeat(32), identityKey: key(1), role: 'admin' },
    { accountId: 'c'.repeat(32), identityKey: key(2), role: 'member' },
  ],
  ...over,
});

describe('groups store', () => {
  it('creates a group conversation titled with the group name, and keeps the state across a reopen', () => {
    fixture = createStoreFixture();
    const saved = fixture.store.groups.save(state(), { removed: false });
    const conversation = fixture.store.conversations.get(saved.conversationId);
    expect(conversation).toMatchObject({ kind: 'group', peerAccountId: null, title: 'Ward 4 MDT' });
    const store = fixture.reopen();
    const again = store.groups.byConversation(saved.conversationId);
    expect(again).toMatchObject({ groupId: 'a'.repeat(32), version: 1, removed: false, kind: 'group' });
    expect(again?.members.map((m) => [m.accountId, m.role])).toEqual([
      ['b'.repeat(32), 'admin'],
      ['c'.repeat(32), 'member'],
    ]);
    expect(again?.members[1]?.identityKey).toEqual(key(2));
    expect(again?.hash).toEqual(key(9));
  });

  it('replaces the state in place (same conversation), renames the thread and drops answered join requests', () => {
    fixture = createStoreFixture();
    const first = fixture.store.groups.save(state(), { removed: false });
    expect(fixture.store.groups.addJoinRequest({ groupId: first.groupId, accountId: 'd'.repeat(32), note: 'new registrar' })).toBe(true);
    expect(fixture.store.groups.addJoinRequest({ groupId: 'f'.repeat(32), accountId: 'd'.repeat(32), note: null })).toBe(false);
    const next = state({
      version: 2,
      name: 'Ward 4 MDT (nights)',
      hash: key(10),
      members: [...state().members, { accountId: 'd'.repeat(32), identityKey: key(4), role: 'member' }],
    });
    const saved = fixture.store.groups.save(next, { removed: false });
    expect(saved.conversationId).toBe(first.conversationId);
    expect(fixture.store.conversations.get(first.conversationId)?.title).toBe('Ward 4 MDT (nights)');
    expect(fixture.store.groups.joinRequests(first.groupId)).toEqual([]);
    expect(fixture.store.groups.list()).toHaveLength(1);
  });

  it('refuses to turn a group into a broadcast list and keeps the old state', () => {
    fixture = createStoreFixture();
    fixture.store.groups.save(state(), { removed: false });
    expect(() => fixture!.store.groups.save(state({ kind: 'broadcast', version: 2 }), { removed: false })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(fixture.store.groups.get('a'.repeat(32))).toMatchObject({ kind: 'group', version: 1 });
  });

  it('the table refuses a role outside the three and an identity key of the wrong length', () => {
    fixture = createStoreFixture();
    expect(() => fixture!.store.groups.save(state({ members: [{ accountId: 'b'.repeat(32), identityKey: key(1), role: 'owner' as never }] }), { removed: false })).toThrow(/CHECK/);
    expect(() => fixture!.store.groups.save(state({ members: [{ accountId: 'b'.repeat(32), identityKey: new Uint8Array(31), role: 'admin' }] }), { removed: false })).toThrow(/CHECK/);
    expect(fixture.store.groups.list()).toEqual([]);
    expect(fixture.store.conversations.list()).toEqual([]);
  });
});
