import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupChange } from '../../../shared/groups/group-change';
import { buildGroupState, withoutHash } from '../../../shared/groups/group-state';
import { testGroupAccount } from '../../../shared/groups/group-test-actors';
import { newMessageId } from '../../../shared/messages/message-id';
import { createCoreLogger } from '../logging';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { GroupInbox } from './group-inbox';

let fixture: StoreFixture | undefined;
afterEach(() => fixture?.dispose());

function setup() {
  const me = testGroupAccount();
  const admin = testGroupAccount();
  const stranger = testGroupAccount();
  fixture = createStoreFixture();
  const store = fixture.store;
  const lines: string[] = [];
  const seen = { groups: [] as string[] };
  const inbox = new GroupInbox({
    store,
    self: me.accountId,
    clock: fixture.clock,
    log: createCoreLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    }),
    pinnedIdentityKey: () => undefined,
    events: {
      messageAdded: () => undefined,
      conversationsChanged: () => undefined,
      groupChanged: (g) => seen.groups.push(g),
      attachmentAnnounced: () => undefined,
      unknownAccounts: () => undefined,
    },
  });
  const now = fixture.clock.now();
  const create = (name: string, kind: 'group' | 'broadcast', members = [admin.as('admin'), me.as('member')]) =>
    createGroupChange(admin, null, { op: 'create', kind, name, discoverable: false, members }, now).state;
  return { me, admin, stranger, store, inbox, lines, seen, create, now };
}

describe('GroupInbox.importSnapshot (the pairing snapshot)', () => {
  it('stores each state with its conversation, as an applied change would, and the next change applies on top', () => {
    const t = setup();
    const ward = t.create('Ward 4 MDT', 'group');
    const rota = t.create('Rota', 'broadcast');
    expect(t.inbox.importSnapshot([ward, rota], [])).toBe(2);
    expect(t.store.groups.get(ward.groupId)).toMatchObject({ name: 'Ward 4 MDT', version: 1, removed: false, hash: ward.hash });
    expect(t.store.groups.get(rota.groupId)).toMatchObject({ kind: 'broadcast', removed: false });
    expect(t.store.conversations.list()).toHaveLength(2);
    expect(t.seen.groups.sort()).toEqual([ward.groupId, rota.groupId].sort());
    // The stored state is the one later changes are checked against.
    const renamed = createGroupChange(t.admin, ward, { op: 'rename', name: 'Ward 4' }, t.now);
    t.inbox.apply({ kind: 'group-change', change: renamed.encoded }, { accountId: t.admin.accountId, deviceId: t.admin.device.deviceId });
    expect(t.store.groups.get(ward.groupId)).toMatchObject({ name: 'Ward 4', version: 2 });
    // Messages in the group now land in its thread.
    const id = newMessageId();
    t.inbox.apply({ kind: 'text', id, to: t.admin.accountId, body: 'hello', sentAt: 1, groupId: ward.groupId }, { accountId: t.admin.accountId, deviceId: t.admin.device.deviceId });
    expect(t.store.messages.get(id)?.conversationId).toBe(t.store.groups.get(ward.groupId)?.conversationId);
  });

  it('never rolls a stored group back, and keeps a group we are not in out', () => {
    const t = setup();
    const ward = t.create('Ward 4 MDT', 'group');
    const v2 = createGroupChange(t.admin, ward, { op: 'rename', name: 'Ward 4' }, t.now).state;
    expect(t.inbox.importSnapshot([v2], [])).toBe(1);
    expect(t.inbox.importSnapshot([ward], [])).toBe(0);
    expect(t.store.groups.get(ward.groupId)).toMatchObject({ name: 'Ward 4', version: 2 });
    const notMine = t.create('Other ward', 'group', [t.admin.as('admin'), t.stranger.as('member')]);
    expect(t.inbox.importSnapshot([notMine], [])).toBe(0);
    expect(t.store.groups.get(notMine.groupId)).toBeNull();
  });

  it('skips a state the store refuses (a group cannot change kind), stores the rest, and logs codes only', () => {
    const t = setup();
    const ward = t.create('Ward 4 MDT secret name', 'group');
    t.inbox.importSnapshot([ward], []);
    const asBroadcast = buildGroupState({ ...withoutHash(ward), kind: 'broadcast', members: [t.admin.as('admin'), t.me.as('member')] }, 5);
    const other = t.create('Another secret name', 'group');
    expect(t.inbox.importSnapshot([asBroadcast, other], ['MALFORMED', 'TOO_LARGE'])).toBe(1);
    expect(t.store.groups.get(ward.groupId)).toMatchObject({ kind: 'group', version: 1 });
    const log = t.lines.join('\n');
    for (const code of ['MALFORMED', 'TOO_LARGE', 'BAD_ARGUMENT']) expect(log).toContain(code);
    expect(log).not.toContain('secret name');
  });
});
