import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAX_MEMBERS, GROUP_CHANGE_CLOCK_SKEW_MS } from '../limits';
import { createCertifiedDevice } from '../protocol/device-certificate';
import { createAccountIdentity } from '../protocol/identity';
import { encodeCbor } from '../protocol/codec';
import { decodeSigned, encodeSigned } from '../protocol/signing';
import { thrownCode } from '../testing/error-code';
import { applyGroupChange, createGroupChange, peekGroupChange, signGroupChange, type ApplyGroupChangeOptions } from './group-change';
import { GroupError } from './group-error';
import type { GroupOp } from './group-rules';
import { buildGroupState, decodeGroupState, encodeGroupState, findMember, mayPost, withoutHash, type GroupState } from './group-state';
import { testGroupAccount } from './group-test-actors';

const now = 1_800_000_000_000;
const opts: ApplyGroupChangeOptions = { now };
const code = (fn: () => unknown) => thrownCode(fn, { only: GroupError, whenNone: 'OK' });

function setup() {
  const admin = testGroupAccount();
  const mod = testGroupAccount();
  const member = testGroupAccount();
  const outsider = testGroupAccount();
  const created = createGroupChange(admin, null, { op: 'create', kind: 'group', name: 'Ward 4', discoverable: false, members: [admin.as('admin'), mod.as('moderator'), member.as('member')] }, now);
  return { admin, mod, member, outsider, created, v1: created.state };
}

describe('group changes', () => {
  it('a member applies exactly the state the admin computed, change after change', () => {
    const { admin, outsider, created, v1 } = setup();
    const received = applyGroupChange(null, created.encoded, opts);
    expect(received.hash).toEqual(v1.hash);
    expect(received.version).toBe(1);
    const ops: GroupOp[] = [
      { op: 'rename', name: 'Ward 4 nights' },
      { op: 'add', members: [outsider.as('member')] },
      { op: 'role', accountId: outsider.accountId, role: 'moderator' },
      { op: 'picture', picture: new Uint8Array([0xff, 0xd8, 1, 2]) },
      { op: 'discoverable', on: true, description: 'Night shift' },
      { op: 'remove', accountIds: [outsider.accountId] },
    ];
    let mine: GroupState = v1;
    let theirs: GroupState = received;
    for (const op of ops) {
      const c = createGroupChange(admin, mine, op, now);
      mine = c.state;
      theirs = applyGroupChange(theirs, c.encoded, opts);
      expect(theirs).toEqual(mine);
    }
    expect(theirs.version).toBe(7);
    expect(theirs.name).toBe('Ward 4 nights');
    expect(theirs.discoverable).toBe(true);
    expect(findMember(theirs, outsider.accountId)).toBeUndefined();
    expect(peekGroupChange(created.encoded)).toMatchObject({ groupId: v1.groupId, version: 1, actor: admin.accountId, op: 'create' });
  });

  it('enforces the role rules on both sides', () => {
    const { admin, mod, member, outsider, v1 } = setup();
    // The creator refuses to sign what receivers would refuse...
    expect(code(() => createGroupChange(member, v1, { op: 'add', members: [outsider.as('member')] }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(mod, v1, { op: 'remove', accountIds: [admin.accountId] }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(mod, v1, { op: 'add', members: [outsider.as('admin')] }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(mod, v1, { op: 'rename', name: 'x' }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(member, v1, { op: 'remove', accountIds: [mod.accountId] }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(outsider, v1, { op: 'leave' }, now))).toBe('NOT_MEMBER');
    expect(code(() => createGroupChange(admin, v1, { op: 'leave' }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(admin, v1, { op: 'role', accountId: admin.accountId, role: 'member' }, now))).toBe('NOT_ALLOWED');
    // ...and receivers refuse it when someone signs it anyway (a modified client).
    const forged = (actor: typeof admin, op: GroupOp, result: GroupState) =>
      signGroupChange(actor, { groupId: v1.groupId, version: 2, previousHash: v1.hash, resultHash: result.hash, op }, now);
    const addByMember = forged(member, { op: 'add', members: [outsider.as('member')] }, v1);
    expect(code(() => applyGroupChange(v1, addByMember, opts))).toBe('NOT_ALLOWED');
    const modRemovesAdmin = forged(mod, { op: 'remove', accountIds: [admin.accountId] }, v1);
    expect(code(() => applyGroupChange(v1, modRemovesAdmin, opts))).toBe('NOT_ALLOWED');
    const byOutsider = forged(outsider, { op: 'rename', name: 'Mine now' }, v1);
    expect(code(() => applyGroupChange(v1, byOutsider, opts))).toBe('NOT_MEMBER');
    // What each role may do, goes through.
    const modAdds = createGroupChange(mod, v1, { op: 'add', members: [outsider.as('member')] }, now);
    expect(findMember(applyGroupChange(v1, modAdds.encoded, opts), outsider.accountId)?.role).toBe('member');
    const modRemovesMember = createGroupChange(mod, v1, { op: 'remove', accountIds: [member.accountId] }, now);
    expect(applyGroupChange(v1, modRemovesMember.encoded, opts).members).toHaveLength(2);
    const memberLeaves = createGroupChange(member, v1, { op: 'leave' }, now);
    expect(findMember(applyGroupChange(v1, memberLeaves.encoded, opts), member.accountId)).toBeUndefined();
    const lastAdminLeaves = createGroupChange(admin, v1, { op: 'leave', successor: mod.accountId }, now);
    const after = applyGroupChange(v1, lastAdminLeaves.encoded, opts);
    expect(findMember(after, admin.accountId)).toBeUndefined();
    expect(findMember(after, mod.accountId)?.role).toBe('admin');
  });

  it('refuses a change signed by a key that is not the admin certificate (a lying relay)', () => {
    const { admin, v1 } = setup();
    const relay = createAccountIdentity();
    // The relay's own device, certified by its own identity, claiming to be the admin.
    const { keys, certificate } = createCertifiedDevice(relay, 'phone', 'x', 0);
    const selfCertified = signGroupChange({ accountId: admin.accountId, device: keys, certificate }, { groupId: v1.groupId, version: 2, previousHash: v1.hash, resultHash: v1.hash, op: { op: 'rename', name: 'Evil' } }, now);
    expect(code(() => applyGroupChange(v1, selfCertified, opts))).toBe('BAD_CERTIFICATE');
    // The admin's genuine certificate with a signature by another key.
    const stolenCert = signGroupChange({ accountId: admin.accountId, device: keys, certificate: admin.certificate }, { groupId: v1.groupId, version: 2, previousHash: v1.hash, resultHash: v1.hash, op: { op: 'rename', name: 'Evil' } }, now);
    expect(code(() => applyGroupChange(v1, stolenCert, opts))).toBe('BAD_SIGNATURE');
    // A genuine change whose body was altered after signing.
    const genuine = createGroupChange(admin, v1, { op: 'rename', name: 'Fine' }, now).encoded;
    const { body, signature } = decodeSigned(genuine, 'x');
    const altered = body.slice();
    altered[altered.length - 40]! ^= 1;
    expect(code(() => applyGroupChange(v1, encodeCbor({ b: altered, s: signature }), opts))).not.toBe('OK');
    // A create whose admin key differs from the one pinned for that account.
    const created = createGroupChange(admin, null, { op: 'create', kind: 'group', name: 'G', discoverable: false, members: [admin.as('admin')] }, now);
    expect(code(() => applyGroupChange(null, created.encoded, { now, pinnedIdentityKey: () => relay.identity.publicKey }))).toBe('IDENTITY_MISMATCH');
    expect(code(() => applyGroupChange(null, created.encoded, { now, pinnedIdentityKey: () => admin.identityKey }))).toBe('OK');
  });

  it('refuses replays, stale versions, forks and changes from the future', () => {
    const { admin, mod, v1 } = setup();
    const c2 = createGroupChange(admin, v1, { op: 'rename', name: 'Two' }, now);
    const v2 = applyGroupChange(v1, c2.encoded, opts);
    expect(code(() => applyGroupChange(v2, c2.encoded, opts))).toBe('STALE_VERSION');
    const c3 = createGroupChange(admin, v2, { op: 'rename', name: 'Three' }, now);
    const v3 = applyGroupChange(v2, c3.encoded, opts);
    expect(code(() => applyGroupChange(v3, c2.encoded, opts))).toBe('STALE_VERSION');
    // Another change made on v1 (someone else's history) under the same version as ours.
    const rival = createGroupChange(mod, v1, { op: 'leave' }, now);
    expect(code(() => applyGroupChange(v2, rival.encoded, opts))).toBe('FORK');
    // A change made on a state we never had, without a snapshot.
    const elsewhere = createGroupChange(admin, rival.state, { op: 'add', members: [testGroupAccount().as('member')] }, now);
    expect(code(() => applyGroupChange(v2, elsewhere.encoded, opts))).toBe('FORK');
    const otherGroup = setup().created.encoded;
    expect(code(() => applyGroupChange(v2, otherGroup, opts))).toBe('WRONG_GROUP');
    const future = createGroupChange(admin, v3, { op: 'rename', name: 'Later' }, now + GROUP_CHANGE_CLOCK_SKEW_MS + 1);
    expect(code(() => applyGroupChange(v3, future.encoded, opts))).toBe('MALFORMED');
  });

  it('lets a member that missed changes catch up on an admin snapshot, and nobody else', () => {
    const { admin, mod, v1 } = setup();
    const c2 = createGroupChange(admin, v1, { op: 'rename', name: 'Two' }, now);
    const c3 = createGroupChange(admin, c2.state, { op: 'rename', name: 'Three' }, now);
    // Missed c2: c3 alone does not follow v1...
    expect(code(() => applyGroupChange(v1, c3.encoded, opts))).toBe('FORK');
    // ...but with the snapshot of its result, signed into the change by its hash, it does.
    const caughtUp = applyGroupChange(v1, c3.encoded, { now, snapshot: encodeGroupState(c3.state) });
    expect(caughtUp).toEqual(c3.state);
    // An admin cannot turn the group into a broadcast list (or back) by snapshot.
    const asBroadcast = buildGroupState({ ...withoutHash(c3.state), kind: 'broadcast', members: c3.state.members.filter((m) => m.role !== 'moderator') }, 3);
    const kindChange = signGroupChange(admin, { groupId: v1.groupId, version: 3, resultHash: asBroadcast.hash, op: { op: 'sync' } }, now);
    expect(code(() => applyGroupChange(v1, kindChange, { now, snapshot: encodeGroupState(asBroadcast) }))).toBe('MALFORMED');
    // A snapshot that is not the signed result is refused.
    expect(code(() => applyGroupChange(v1, c3.encoded, { now, snapshot: encodeGroupState(c2.state) }))).toBe('MALFORMED');
    // A moderator cannot rewrite the state of a member by snapshot.
    const modChange = createGroupChange(mod, c2.state, { op: 'add', members: [testGroupAccount().as('member')] }, now);
    expect(code(() => applyGroupChange(v1, modChange.encoded, { now, snapshot: encodeGroupState(modChange.state) }))).toBe('NOT_ALLOWED');
  });

  it('lets a re-added member join again through the snapshot, never by replay', () => {
    const { admin, member, v1 } = setup();
    const removed = createGroupChange(admin, v1, { op: 'remove', accountIds: [member.accountId] }, now);
    const memberView = applyGroupChange(v1, removed.encoded, { ...opts, self: member.accountId });
    expect(mayPost(memberView, member.accountId)).toBe(false);
    const readded = createGroupChange(admin, removed.state, { op: 'add', members: [member.as('member')] }, now);
    expect(applyGroupChange(memberView, readded.encoded, { ...opts, self: member.accountId, snapshot: encodeGroupState(readded.state) })).toEqual(readded.state);
    // The original add (version 1 create) replayed does nothing.
    expect(code(() => applyGroupChange(memberView, setup().created.encoded, { ...opts, self: member.accountId }))).not.toBe('OK');
  });
});

describe('group state', () => {
  it('round-trips a snapshot and refuses a malformed or oversized one', () => {
    const { v1 } = setup();
    expect(decodeGroupState(encodeGroupState(v1))).toEqual(v1);
    expect(code(() => decodeGroupState(new Uint8Array([1, 2, 3])))).toBe('MALFORMED');
    const wire = { v: 1, g: v1.groupId, k: 'group', na: 'x', di: false, n: 1, m: [] as unknown[] };
    expect(code(() => decodeGroupState(encodeCbor(wire)))).toBe('MALFORMED'); // no admin
    const key = v1.members[0]!.identityKey;
    expect(code(() => decodeGroupState(encodeCbor({ ...wire, m: [[key, 'admin'], [key, 'member']] })))).toBe('MALFORMED');
    expect(code(() => decodeGroupState(encodeCbor({ ...wire, m: [[key, 'admin']], extra: 1 })))).toBe('MALFORMED');
    expect(code(() => decodeGroupState(encodeCbor({ ...wire, m: [[key, 'owner']] })))).toBe('MALFORMED');
    const many = Array.from({ length: 1001 }, () => [randomBytes(32), 'member']);
    expect(code(() => decodeGroupState(encodeCbor({ ...wire, m: [[key, 'admin'], ...many] })))).toBe('TOO_MANY_MEMBERS');
    expect(BROADCAST_MAX_MEMBERS).toBeGreaterThan(1001);
  });

  it('rejects changes that do not decode', () => {
    const { v1, admin } = setup();
    expect(code(() => applyGroupChange(v1, new Uint8Array([0xa0]), opts))).toBe('MALFORMED');
    const body = encodeCbor({ v: 1, g: v1.groupId, n: 2, p: v1.hash, h: v1.hash, o: { o: 'explode' }, t: now, a: admin.accountId, c: admin.certificate });
    expect(code(() => applyGroupChange(v1, encodeSigned('group-change', body, admin.device.signing.secretKey.bytes), opts))).toBe('MALFORMED');
  });
});
