import { afterEach, describe, expect, it } from 'vitest';
import { createGroupChange, signGroupChange, type GroupOp } from '../../../shared/groups/group-change';
import { planGroupChange } from '../../../shared/groups/group-delivery';
import { buildGroupState, withoutHash, type GroupState } from '../../../shared/groups/group-state';
import { testGroupAccount, type TestGroupAccount } from '../../../shared/groups/group-test-actors';
import { newMessageId } from '../../../shared/messages/message-id';
import { createCoreLogger } from '../logging';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { GroupInbox } from './group-inbox';

let fixture: StoreFixture | undefined;
afterEach(() => fixture?.dispose());

function setup() {
  const me = testGroupAccount();
  const admin = testGroupAccount();
  const member = testGroupAccount();
  const stranger = testGroupAccount();
  fixture = createStoreFixture();
  const store = fixture.store;
  const seen = { added: [] as string[], groups: [] as string[], attachments: 0 };
  const inbox = new GroupInbox({
    store,
    self: me.accountId,
    clock: fixture.clock,
    log: createCoreLogger({ level: 'silent' }),
    pinnedIdentityKey: () => undefined,
    events: {
      messageAdded: (id) => seen.added.push(id),
      conversationsChanged: () => undefined,
      groupChanged: (g) => seen.groups.push(g),
      attachmentAnnounced: () => seen.attachments++,
      unknownAccounts: () => undefined,
    },
  });
  const from = (a: TestGroupAccount) => ({ accountId: a.accountId, deviceId: a.device.deviceId });
  const deliver = (actor: TestGroupAccount, prev: GroupState | null, op: GroupOp) => {
    const made = createGroupChange(actor, prev, op, fixture!.clock.now());
    inbox.apply({ kind: 'group-change', change: made.encoded }, from(actor));
    return made;
  };
  const text = (sender: TestGroupAccount, groupId: string, body: string) => {
    const id = newMessageId();
    inbox.apply({ kind: 'text', id, to: sender.accountId, body, sentAt: 5, groupId: groupId as GroupState['groupId'] }, from(sender));
    return id;
  };
  /** Everything a user could see: conversations, and every message body in the store. */
  const visible = () => ({
    conversations: store.conversations.list().length,
    bodies: (store.db.prepare('SELECT body FROM messages').all() as { body: string }[]).map((r) => r.body),
  });
  return { me, admin, member, stranger, store, inbox, seen, from, deliver, text, visible };
}

describe('GroupInbox', () => {
  it('takes a group an admin created with us in it, and the members’ messages into the group thread', () => {
    const t = setup();
    const { state } = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Ward 4 MDT', discoverable: false, members: [t.admin.as('admin'), t.me.as('member'), t.member.as('member')] });
    const group = t.store.groups.get(state.groupId);
    expect(group).toMatchObject({ name: 'Ward 4 MDT', version: 1, removed: false });
    expect(t.store.conversations.get(group!.conversationId)).toMatchObject({ kind: 'group', title: 'Ward 4 MDT' });
    const id = t.text(t.member, state.groupId, 'CT head at 14:00');
    expect(t.store.messages.get(id)).toMatchObject({ conversationId: group!.conversationId, senderAccountId: t.member.accountId, direction: 'in' });
    expect(t.seen.added).toEqual([id]);
  });

  it('stores a member’s group attachment in the group thread and announces it for fetching; a non-member’s is dropped', () => {
    const t = setup();
    const { state } = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Wound care', discoverable: false, members: [t.admin.as('admin'), t.me.as('member')] });
    const pointer = { blobId: 'b'.repeat(32), key: new Uint8Array(32), digest: new Uint8Array(32), size: 10, mimeType: 'image/png', fileName: 'wound.png' };
    t.inbox.apply({ kind: 'attachment', id: newMessageId(), to: t.stranger.accountId, sentAt: 3, ...pointer, groupId: state.groupId }, t.from(t.stranger));
    expect(t.seen.attachments).toBe(0);
    const id = newMessageId();
    t.inbox.apply({ kind: 'attachment', id, to: t.admin.accountId, sentAt: 4, ...pointer, caption: 'day 3', groupId: state.groupId }, t.from(t.admin));
    expect(t.seen.attachments).toBe(1);
    expect(t.store.messages.get(id)).toMatchObject({ conversationId: t.store.groups.get(state.groupId)?.conversationId, body: 'day 3', direction: 'in' });
  });

  it('refuses a membership change not signed by an admin, a tampered one and a stale replay; the state and the screen stay as they were', () => {
    const t = setup();
    const { state } = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Ward 4 MDT', discoverable: false, members: [t.admin.as('admin'), t.me.as('member'), t.member.as('member')] });
    const before = t.visible();
    // A plain member signs the removal of us and the addition of an outsider (what a lying relay or member would try).
    const withoutMe = buildGroupState({ ...withoutHash(state), members: [...state.members.filter((m) => m.accountId !== t.me.accountId), t.stranger.as('admin')] }, 2);
    const op: GroupOp = { op: 'add', members: [t.stranger.as('admin')] };
    const byMember = signGroupChange(t.member, { groupId: state.groupId, version: 2, previousHash: state.hash, resultHash: withoutMe.hash, op }, 10);
    t.inbox.apply({ kind: 'group-change', change: byMember }, t.from(t.member));
    // The same, claiming to be the admin (the admin's certificate) but signed with another device's key.
    const impostor = { accountId: t.admin.accountId, certificate: t.admin.certificate, device: t.stranger.device };
    t.inbox.apply({ kind: 'group-change', change: signGroupChange(impostor, { groupId: state.groupId, version: 2, previousHash: state.hash, resultHash: withoutMe.hash, op }, 10) }, t.from(t.admin));
    // The admin's genuine change, with one bit flipped in transit.
    const genuine = createGroupChange(t.admin, state, { op: 'add', members: [t.stranger.as('admin')] }, 11);
    const tampered = Uint8Array.from(genuine.encoded);
    tampered[tampered.length - 5]! ^= 0x01;
    t.inbox.apply({ kind: 'group-change', change: tampered }, t.from(t.admin));
    t.inbox.apply({ kind: 'group-change', change: new Uint8Array([0xa1, 0x01, 0x02]) }, t.from(t.admin));
    const stored = t.store.groups.get(state.groupId)!;
    expect(stored.version).toBe(1);
    expect(stored.removed).toBe(false);
    expect(stored.members.map((m) => m.accountId).sort()).toEqual([t.admin.accountId, t.me.accountId, t.member.accountId].sort());
    expect(t.visible()).toEqual(before);
    // The genuine one still applies; replaying it afterwards changes nothing.
    t.inbox.apply({ kind: 'group-change', change: genuine.encoded }, t.from(t.admin));
    expect(t.store.groups.get(state.groupId)?.version).toBe(2);
    t.inbox.apply({ kind: 'group-change', change: genuine.encoded }, t.from(t.admin));
    expect(t.store.groups.get(state.groupId)?.version).toBe(2);
  });

  it('keeps no trace of a group we are not in, and drops messages for unknown groups or from non-members', () => {
    const t = setup();
    const other = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Secret board', discoverable: false, members: [t.admin.as('admin'), t.member.as('member')] });
    expect(t.store.groups.get(other.state.groupId)).toBeNull();
    t.text(t.admin, other.state.groupId, 'not for you');
    const { state } = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Ward 4 MDT', discoverable: false, members: [t.admin.as('admin'), t.me.as('member')] });
    t.text(t.stranger, state.groupId, 'let me in');
    expect(t.visible()).toEqual({ conversations: 1, bodies: [] });
    expect(t.seen.added).toEqual([]);
  });

  it('in a broadcast list only admins post; a recipient is read-only and sees only admins and itself', () => {
    const t = setup();
    const plan = planGroupChange(t.admin, null, { op: 'create', kind: 'broadcast', name: 'Recall notices', discoverable: false, members: [t.admin.as('admin'), t.me.as('member'), t.member.as('member')] }, 1);
    const mine = plan.deliveries.find((d) => d.to === t.me.accountId)!;
    t.inbox.apply({ kind: 'group-change', change: mine.change, ...(mine.snapshot ? { snapshot: mine.snapshot } : {}) }, t.from(t.admin));
    const group = t.store.groups.get(plan.state.groupId)!;
    expect(group.members.map((m) => m.accountId).sort()).toEqual([t.admin.accountId, t.me.accountId].sort());
    t.text(t.member, plan.state.groupId, 'reply all');
    const id = t.text(t.admin, plan.state.groupId, 'Batch 42 recalled');
    expect(t.visible().bodies).toEqual(['Batch 42 recalled']);
    expect(t.store.messages.get(id)?.conversationId).toBe(group.conversationId);
  });

  it('after a verified removal the thread stays but nothing more lands in it', () => {
    const t = setup();
    const created = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Ward 4 MDT', discoverable: false, members: [t.admin.as('admin'), t.me.as('member'), t.member.as('member')] });
    t.text(t.member, created.state.groupId, 'before');
    t.deliver(t.admin, created.state, { op: 'remove', accountIds: [t.me.accountId] });
    expect(t.store.groups.get(created.state.groupId)?.removed).toBe(true);
    t.text(t.member, created.state.groupId, 'after');
    expect(t.visible().bodies).toEqual(['before']);
  });

  it('files a join request only for a discoverable group where we moderate', () => {
    const t = setup();
    const created = t.deliver(t.admin, null, { op: 'create', kind: 'group', name: 'Regional GPs', discoverable: false, members: [t.admin.as('admin'), t.me.as('moderator')] });
    const ask = () => t.inbox.apply({ kind: 'group-join-request', groupId: created.state.groupId, note: 'new GP in town' }, t.from(t.stranger));
    ask();
    expect(t.store.groups.joinRequests()).toEqual([]);
    t.deliver(t.admin, created.state, { op: 'discoverable', on: true, description: 'GPs of the region' });
    ask();
    expect(t.store.groups.joinRequests().map((r) => [r.accountId, r.note])).toEqual([[t.stranger.accountId, 'new GP in town']]);
  });
});
