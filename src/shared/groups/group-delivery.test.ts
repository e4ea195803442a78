import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/error-code';
import { applyGroupChange, createGroupChange, type ApplyGroupChangeOptions } from './group-change';
import { planGroupChange, type GroupChangeDelivery } from './group-delivery';
import { GroupError } from './group-error';
import { findMember, groupMember, mayPost, type GroupState } from './group-state';
import { testGroupAccount, type TestGroupAccount } from './group-test-actors';

const now = 1_800_000_000_000;
const code = (fn: () => unknown) => thrownCode(fn, { only: GroupError, whenNone: 'OK' });

/** Each account's copy of the state, updated only through what the planner delivers to it. */
function deliver(states: Map<string, GroupState | null>, deliveries: GroupChangeDelivery[]): void {
  for (const d of deliveries) {
    const opts: ApplyGroupChangeOptions = { now, self: d.to, ...(d.snapshot ? { snapshot: d.snapshot } : {}) };
    states.set(d.to, applyGroupChange(states.get(d.to) ?? null, d.change, opts));
  }
}

describe('group change delivery', () => {
  it('gives every member of a group the same state, new members a snapshot, removed members the removal', () => {
    const [admin, a, b, c] = [testGroupAccount(), testGroupAccount(), testGroupAccount(), testGroupAccount()] as [TestGroupAccount, TestGroupAccount, TestGroupAccount, TestGroupAccount];
    const states = new Map<string, GroupState | null>();
    const created = planGroupChange(admin, null, { op: 'create', kind: 'group', name: 'MDT', discoverable: false, members: [admin.as('admin'), a.as('member'), b.as('member')] }, now);
    expect(created.deliveries.map((d) => d.to).sort()).toEqual([admin.accountId, a.accountId, b.accountId].sort());
    deliver(states, created.deliveries);
    const added = planGroupChange(admin, created.state, { op: 'add', members: [c.as('member')] }, now);
    expect(added.deliveries.find((d) => d.to === c.accountId)?.snapshot).toBeDefined();
    expect(added.deliveries.find((d) => d.to === a.accountId)?.snapshot).toBeUndefined();
    deliver(states, added.deliveries);
    const removed = planGroupChange(admin, added.state, { op: 'remove', accountIds: [b.accountId] }, now);
    expect(removed.deliveries.map((d) => d.to)).toContain(b.accountId);
    deliver(states, removed.deliveries);
    for (const who of [admin, a, c]) expect(states.get(who.accountId)?.hash).toEqual(removed.state.hash);
    expect(mayPost(states.get(b.accountId)!, b.accountId)).toBe(false);
    // A member that missed two changes catches up on the admin's sync, which carries the snapshot.
    const r1 = planGroupChange(admin, removed.state, { op: 'rename', name: 'MDT 2' }, now);
    const r2 = planGroupChange(admin, r1.state, { op: 'rename', name: 'MDT 3' }, now);
    const lagging = states.get(a.accountId)!;
    expect(code(() => applyGroupChange(lagging, r2.encoded, { now }))).toBe('FORK');
    const sync = planGroupChange(admin, r2.state, { op: 'sync' }, now);
    const forA = sync.deliveries.find((d) => d.to === a.accountId)!;
    expect(applyGroupChange(lagging, forA.change, { now, ...(forA.snapshot ? { snapshot: forA.snapshot } : {}) })).toEqual(r2.state);
    expect(code(() => planGroupChange(a, r2.state, { op: 'sync' }, now))).toBe('NOT_ALLOWED');
  });

  it('never tells a broadcast recipient who the other recipients are', () => {
    const admin = testGroupAccount();
    const coAdmin = testGroupAccount();
    const pharmacies = Array.from({ length: 5 }, () => testGroupAccount());
    const [p0, p1, p2, p3] = pharmacies as [TestGroupAccount, TestGroupAccount, TestGroupAccount, TestGroupAccount];
    const states = new Map<string, GroupState | null>();
    const created = planGroupChange(admin, null, { op: 'create', kind: 'broadcast', name: 'Recall notices', discoverable: false, members: [admin.as('admin'), coAdmin.as('admin'), ...pharmacies.slice(0, 4).map((p) => p.as('member'))] }, now);
    deliver(states, created.deliveries);
    for (const p of [p0, p1, p2, p3]) {
      const view = states.get(p.accountId)!;
      expect(view.members.map((m) => m.accountId).sort()).toEqual([admin.accountId, coAdmin.accountId, p.accountId].sort());
      expect(mayPost(view, admin.accountId)).toBe(true);
      expect(mayPost(view, p.accountId)).toBe(false);
    }
    expect(states.get(coAdmin.accountId)?.hash).toEqual(created.state.hash);
    // The full change (with every recipient's key) goes to admins only.
    for (const d of created.deliveries) {
      if (d.to !== admin.accountId && d.to !== coAdmin.accountId) expect(d.change).not.toEqual(created.encoded);
    }
    // A new recipient costs one delivery to it (and the admins), none to the others.
    const p4 = pharmacies[4]!;
    const added = planGroupChange(admin, created.state, { op: 'add', members: [p4.as('member')] }, now);
    expect(added.deliveries.map((d) => d.to).sort()).toEqual([admin.accountId, coAdmin.accountId, p4.accountId].sort());
    deliver(states, added.deliveries);
    expect(states.get(p4.accountId)!.members).toHaveLength(3);
    // A rename reaches everyone; views stay views.
    const renamed = planGroupChange(coAdmin, added.state, { op: 'rename', name: 'Recalls (NL)' }, now);
    deliver(states, renamed.deliveries);
    expect(states.get(p1.accountId)!.name).toBe('Recalls (NL)');
    expect(states.get(p1.accountId)!.members).toHaveLength(3);
    expect(states.get(admin.accountId)!.members).toHaveLength(7);
    // A removed recipient learns it is out; a recipient cannot post or sign changes.
    const removed = planGroupChange(admin, renamed.state, { op: 'remove', accountIds: [p2.accountId] }, now);
    expect(removed.deliveries.map((d) => d.to).sort()).toEqual([admin.accountId, coAdmin.accountId, p2.accountId].sort());
    deliver(states, removed.deliveries);
    expect(findMember(states.get(p2.accountId)!, p2.accountId)).toBeUndefined();
    expect(code(() => createGroupChange(p1, states.get(p1.accountId)!, { op: 'leave' }, now))).toBe('NOT_ALLOWED');
    expect(code(() => createGroupChange(p1, states.get(p1.accountId)!, { op: 'add', members: [testGroupAccount().as('member')] }, now))).toBe('NOT_ALLOWED');
    // No moderators in broadcast lists.
    expect(code(() => planGroupChange(admin, removed.state, { op: 'role', accountId: p1.accountId, role: 'moderator' }, now))).toBe('NOT_ALLOWED');
    // Promoting a recipient to admin hands it the full list.
    const promoted = planGroupChange(admin, removed.state, { op: 'role', accountId: p1.accountId, role: 'admin' }, now);
    deliver(states, promoted.deliveries);
    expect(states.get(p1.accountId)!.hash).toEqual(promoted.state.hash);
    expect(states.get(p3.accountId)!.members).toHaveLength(4);
  });

  it('refuses, before signing anything, a change that cannot fit one envelope', () => {
    const admin = testGroupAccount();
    const many = Array.from({ length: 5000 }, () => groupMember(randomBytes(32), 'member'));
    expect(code(() => planGroupChange(admin, null, { op: 'create', kind: 'broadcast', name: 'All pharmacies', discoverable: false, members: [admin.as('admin'), ...many] }, now))).toBe('TOO_MANY_MEMBERS');
  });
});
