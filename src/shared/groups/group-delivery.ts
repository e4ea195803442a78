/**
 * Who receives what when a group changes. Groups: every account in the old and the new state
 * gets the same signed change (removed members so they learn it; the actor's own account for its
 * other devices); new members also get a snapshot. Broadcast lists: admins get the full change;
 * each recipient gets an admin-signed `sync` to its own view (the admins and itself), and only
 * when that view changed — so no recipient ever receives the list of the others, and adding
 * recipient 2,801 costs one message, not 2,800.
 */
import { constantTimeEqual } from '../bytes';
import { GROUP_CHANGE_MAX_BYTES, GROUP_SNAPSHOT_MAX_BYTES } from '../limits';
import type { AccountId } from '../protocol/ids';
import { createGroupChange, signGroupChange, type GroupActor } from './group-change';
import { GroupError } from './group-error';
import type { GroupOp } from './group-rules';
import { broadcastView, encodeGroupState, findMember, type GroupState } from './group-state';

export interface GroupChangeDelivery {
  readonly to: AccountId;
  readonly change: Uint8Array;
  readonly snapshot?: Uint8Array;
}

function snapshotOf(state: GroupState): Uint8Array {
  const bytes = encodeGroupState(state);
  if (bytes.length > GROUP_SNAPSHOT_MAX_BYTES) throw new GroupError('TOO_MANY_MEMBERS', 'group snapshot too large to send');
  return bytes;
}

export function planGroupChange(
  actor: GroupActor,
  prev: GroupState | null,
  op: GroupOp,
  issuedAt: number,
): { state: GroupState; encoded: Uint8Array; deliveries: GroupChangeDelivery[] } {
  const { encoded, state } = createGroupChange(actor, prev, op, issuedAt);
  // Checked before anything is signed for recipients: each delivery must fit one envelope.
  if (encoded.length > GROUP_CHANGE_MAX_BYTES) throw new GroupError('TOO_MANY_MEMBERS', 'group change too large to send; add members in batches');
  const accounts = new Set<AccountId>([...(prev?.members ?? []), ...state.members].map((m) => m.accountId));
  accounts.add(actor.accountId);
  const deliveries: GroupChangeDelivery[] = [];
  let fullSnapshot: Uint8Array | undefined;
  const full = (to: AccountId, withSnapshot: boolean) => {
    if (withSnapshot) fullSnapshot ??= snapshotOf(state);
    deliveries.push(withSnapshot && fullSnapshot ? { to, change: encoded, snapshot: fullSnapshot } : { to, change: encoded });
  };
  for (const to of accounts) {
    const before = prev ? findMember(prev, to) : undefined;
    const after = findMember(state, to);
    // A sync exists to carry the snapshot: everybody gets it.
    const resync = op.op === 'sync';
    if (state.kind === 'group') {
      full(to, resync || (!before && op.op !== 'create'));
      continue;
    }
    if (after?.role === 'admin') {
      full(to, resync || (op.op !== 'create' && before?.role !== 'admin'));
      continue;
    }
    if (before?.role === 'admin' && !after) {
      full(to, false);
      continue;
    }
    const viewBefore = prev && before ? broadcastView(prev, to) : null;
    const viewAfter = broadcastView(state, to);
    if (!resync && viewBefore && before?.role !== 'admin' && constantTimeEqual(viewBefore.hash, viewAfter.hash)) continue;
    const change = signGroupChange(
      actor,
      { groupId: state.groupId, version: state.version, resultHash: viewAfter.hash, op: { op: 'sync' }, ...(viewBefore ? { previousHash: viewBefore.hash } : {}) },
      issuedAt,
    );
    deliveries.push({ to, change, snapshot: snapshotOf(viewAfter) });
  }
  for (const d of deliveries) {
    if (d.change.length + (d.snapshot?.length ?? 0) > GROUP_CHANGE_MAX_BYTES) throw new GroupError('TOO_MANY_MEMBERS', 'group change and snapshot too large to send');
  }
  return { state, encoded, deliveries };
}
