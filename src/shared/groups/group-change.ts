/**
 * Signed group changes: how a group's state moves from one version to the next.
 *
 *   body: { v: 1, g: GroupId, n: new version, p?: hash of the state it was made on (absent for
 *           create), h: hash of the resulting state, o: operation, t: issuedAt ms,
 *           a: actor AccountId, c: the actor device's certificate }
 *   wire: encodeSigned('group-change', CBOR(body), device signing key)
 *
 * A receiver trusts a change only through its own copy of the state: the actor's identity key
 * comes from the state it holds (or, for a new group or a first snapshot, from the state the
 * change creates, cross-checked with the key it pinned for that account), the certificate must be
 * signed by that identity key and the change by the certified device key. A relay that forges,
 * replays, reorders or drops changes can therefore stall a group but never change it.
 */
import { z } from 'zod';
import { constantTimeEqual } from '../bytes';
import { isWardlineError } from '../errors';
import { GROUP_CHANGE_CLOCK_SKEW_MS } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { verifyDeviceCertificate } from '../protocol/device-certificate';
import type { DeviceKeys } from '../protocol/identity';
import { zAccountId, type AccountId } from '../protocol/ids';
import { decodeSigned, encodeSigned, verify } from '../protocol/signing';
import { GroupError } from './group-error';
import { newGroupId, zGroupId, type GroupId } from './group-id';
import { contentAfter, contentOfCreate, type GroupOp, type GroupOpName } from './group-rules';
import { opFromWire, opToWire, zOp } from './group-op-wire';
import { buildGroupState, decodeGroupState, findMember, type GroupState } from './group-state';
export type { GroupOp, GroupOpName } from './group-rules';

export interface GroupActor {
  readonly accountId: AccountId;
  readonly device: DeviceKeys;
  readonly certificate: Uint8Array;
}

export interface ApplyGroupChangeOptions {
  readonly now: number;
  readonly pinnedIdentityKey?: (accountId: AccountId) => Uint8Array | undefined;
  /** The `s` of the group-change content, when present (new members, catch-up, broadcast views). */
  readonly snapshot?: Uint8Array;
  /**
   * The receiving account. When it is not a member of `prev` (it was removed and is being added
   * again), `prev` only bounds the version: the change must bring a snapshot like a first join.
   */
  readonly self?: AccountId;
}

export interface GroupChangeHeader {
  readonly groupId: GroupId;
  readonly version: number;
  readonly actor: AccountId;
  readonly op: GroupOpName;
  readonly issuedAt: number;
}

const zBody = z
  .object({
    v: z.literal(1),
    g: zGroupId,
    n: z.number().int().positive(),
    p: zBytes(32).optional(),
    h: zBytes(32),
    o: zOp,
    t: z.number().int().nonnegative(),
    a: zAccountId,
    c: zBytes().refine((c) => c.length > 0 && c.length <= 2048, { message: 'certificate size out of range' }),
  })
  .strict();
type Body = z.infer<typeof zBody>;

interface DecodedChange {
  readonly body: Body;
  readonly bodyBytes: Uint8Array;
  readonly signature: Uint8Array;
}

function decodeChange(encoded: Uint8Array): DecodedChange {
  try {
    const { body: bodyBytes, signature } = decodeSigned(encoded, 'group change');
    return { body: decodeCbor(bodyBytes, zBody, 'group change'), bodyBytes, signature };
  } catch (e) {
    if (isWardlineError(e)) throw new GroupError('MALFORMED', 'group change does not decode', { cause: e });
    throw e;
  }
}

/** Unauthenticated: only to find the state a change is about. Throws GroupError MALFORMED. */
export function peekGroupChange(encoded: Uint8Array): GroupChangeHeader {
  const { body } = decodeChange(encoded);
  return { groupId: body.g, version: body.n, actor: body.a, op: body.o.o, issuedAt: body.t };
}

/** Signs a change body; exported for the delivery planner, which signs broadcast recipients' views. */
export function signGroupChange(
  actor: GroupActor,
  fields: { groupId: GroupId; version: number; previousHash?: Uint8Array; resultHash: Uint8Array; op: GroupOp },
  issuedAt: number,
): Uint8Array {
  const body: Record<string, unknown> = {
    v: 1,
    g: fields.groupId,
    n: fields.version,
    h: fields.resultHash,
    o: opToWire(fields.op),
    t: issuedAt,
    a: actor.accountId,
    c: actor.certificate,
    ...(fields.previousHash === undefined ? {} : { p: fields.previousHash }),
  };
  return encodeSigned('group-change', encodeCbor(body), actor.device.signing.secretKey.bytes);
}

/**
 * The change `actor` makes on `prev` (null: `op` must be create) and the state it leads to.
 * Runs the receivers' rules first, so nothing is signed that members would refuse. A `sync`
 * re-announces `prev` under its own version, for members that missed changes.
 */
export function createGroupChange(actor: GroupActor, prev: GroupState | null, op: GroupOp, issuedAt: number): { encoded: Uint8Array; state: GroupState } {
  let state: GroupState;
  if (op.op === 'create') {
    if (prev) throw new GroupError('STALE_VERSION', 'group change: the group exists');
    state = buildGroupState(contentOfCreate(op, newGroupId(), actor.accountId), 1);
  } else {
    if (!prev) throw new GroupError('NOT_MEMBER', 'group change: unknown group');
    if (op.op === 'sync') {
      if (findMember(prev, actor.accountId)?.role !== 'admin') throw new GroupError('NOT_ALLOWED', 'group change: only admins sync');
      state = prev;
    } else {
      state = buildGroupState(contentAfter(prev, op, actor.accountId), prev.version + 1);
    }
  }
  const encoded = signGroupChange(
    actor,
    { groupId: state.groupId, version: state.version, resultHash: state.hash, op, ...(prev ? { previousHash: prev.hash } : {}) },
    issuedAt,
  );
  return { encoded, state };
}

function authenticate(change: DecodedChange, identityKey: Uint8Array, opts: ApplyGroupChangeOptions): void {
  const pinned = opts.pinnedIdentityKey?.(change.body.a);
  if (pinned && !constantTimeEqual(pinned, identityKey)) throw new GroupError('IDENTITY_MISMATCH', 'group change: actor identity differs from the pinned one');
  let signingKey: Uint8Array;
  try {
    signingKey = verifyDeviceCertificate(change.body.c, identityKey, change.body.a).signingKey;
  } catch (e) {
    if (isWardlineError(e)) throw new GroupError('BAD_CERTIFICATE', 'group change: certificate not issued by the actor', { cause: e });
    throw e;
  }
  if (!verify('group-change', change.signature, change.bodyBytes, signingKey)) throw new GroupError('BAD_SIGNATURE', 'group change: signature does not verify');
}

function actorKey(state: GroupState, actor: AccountId): Uint8Array {
  const member = findMember(state, actor);
  if (!member) throw new GroupError('NOT_MEMBER', 'group change: actor is not a member');
  return member.identityKey;
}

/**
 * Applies a received change to the state this device holds (null: it knows no state yet).
 * Three ways in, all authenticated against a state the receiver already trusts where it has one:
 *   create    — n = 1; the actor is an admin of the state it creates
 *   next      — `p` is the hash of `prev`, `n` > prev.version; the role rules hold for the actor in `prev`
 *   snapshot  — anything else with a snapshot: the actor must be an admin of `prev` (catch-up),
 *               or, with no usable `prev`, an admin of the snapshot (a moderator, for an `add`)
 * Throws GroupError; on error the caller keeps `prev`.
 */
export function applyGroupChange(prev: GroupState | null, encodedChange: Uint8Array, opts: ApplyGroupChangeOptions): GroupState {
  const change = decodeChange(encodedChange);
  const { body } = change;
  if (prev && body.g !== prev.groupId) throw new GroupError('WRONG_GROUP', 'group change for another group');
  if (body.t > opts.now + GROUP_CHANGE_CLOCK_SKEW_MS) throw new GroupError('MALFORMED', 'group change issued in the future');
  if (prev) {
    if (body.n < prev.version) throw new GroupError('STALE_VERSION', 'group change: older than the state');
    if (body.n === prev.version) {
      throw constantTimeEqual(body.h, prev.hash) ? new GroupError('STALE_VERSION', 'group change: already applied') : new GroupError('FORK', 'group change: another state under the same version');
    }
  }
  const base = prev && opts.self !== undefined && !findMember(prev, opts.self) ? null : prev;
  const op = opFromWire(body.o);

  if (op.op === 'create') {
    if (body.n !== 1 || body.p !== undefined) throw new GroupError('MALFORMED', 'group change: create is version 1');
    const state = buildGroupState(contentOfCreate(op, body.g, body.a), 1);
    authenticate(change, actorKey(state, body.a), opts);
    if (!constantTimeEqual(state.hash, body.h)) throw new GroupError('FORK', 'group change: result differs from the signed one');
    return state;
  }

  if (base && op.op !== 'sync' && body.p !== undefined && constantTimeEqual(body.p, base.hash)) {
    authenticate(change, actorKey(base, body.a), opts);
    const next = buildGroupState(contentAfter(base, op, body.a), body.n);
    if (!constantTimeEqual(next.hash, body.h)) throw new GroupError('FORK', 'group change: result differs from the signed one');
    return next;
  }

  if (!opts.snapshot) throw new GroupError('FORK', 'group change does not follow the state held');
  const snapshot = decodeGroupState(opts.snapshot);
  if (snapshot.groupId !== body.g) throw new GroupError('WRONG_GROUP', 'group snapshot for another group');
  // A group never becomes a broadcast list or back: members would suddenly be read-only, or recipients see each other.
  if (prev && snapshot.kind !== prev.kind) throw new GroupError('MALFORMED', 'group snapshot of another kind');
  if (snapshot.version !== body.n || !constantTimeEqual(snapshot.hash, body.h)) throw new GroupError('MALFORMED', 'group snapshot is not the signed result');
  if (base) {
    if (findMember(base, body.a)?.role !== 'admin') {
      throw new GroupError(findMember(base, body.a) ? 'NOT_ALLOWED' : 'NOT_MEMBER', 'group change: only an admin brings a snapshot');
    }
    authenticate(change, actorKey(base, body.a), opts);
  } else {
    const role = findMember(snapshot, body.a)?.role;
    const allowed = role === 'admin' || (role === 'moderator' && op.op === 'add');
    if (!allowed) throw new GroupError(role ? 'NOT_ALLOWED' : 'NOT_MEMBER', 'group change: snapshot from someone who may not add');
    authenticate(change, actorKey(snapshot, body.a), opts);
  }
  return snapshot;
}
