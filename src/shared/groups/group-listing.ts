/**
 * A discoverable group's entry in the relay's group directory, signed by a device of one of its
 * admins (purpose 'group-listing'):
 *
 *   body: { v: 1, g: GroupId, k: kind, na: name, de?: description, r: approvers (admins and
 *           moderators, where join requests go), l: listed (false withdraws), t: issuedAt,
 *           a: actor AccountId, ik: actor identity key, c: actor device certificate }
 *
 * The listing carries the actor's identity key so anyone can check it without another lookup;
 * the relay also requires that key to be the one pinned for the authenticated account. A listing
 * grants nothing by itself: joining takes an `add` signed by an admin or moderator that the
 * group's members check against their own state, so a forged listing only misroutes requests.
 */
import { z } from 'zod';
import { isWardlineError } from '../errors';
import { GROUP_LISTING_MAX_APPROVERS, GROUP_LISTING_MAX_BYTES } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { verifyDeviceCertificate } from '../protocol/device-certificate';
import { accountIdFromIdentityKey, zAccountId, type AccountId } from '../protocol/ids';
import { decodeSigned, encodeSigned, verify } from '../protocol/signing';
import type { GroupActor } from './group-change';
import { GroupError } from './group-error';
import { zGroupId, type GroupId } from './group-id';
import { findMember, GROUP_KINDS, zGroupDescription, zGroupName, type GroupKind, type GroupState } from './group-state';

export interface GroupListing {
  readonly groupId: GroupId;
  readonly kind: GroupKind;
  readonly name: string;
  readonly description?: string;
  /** Admins and moderators: where join requests go. */
  readonly approvers: readonly AccountId[];
  /** False withdraws the listing. */
  readonly listed: boolean;
  readonly issuedAt: number;
  readonly actor: AccountId;
  readonly actorIdentityKey: Uint8Array;
  readonly encoded: Uint8Array;
}

const zBody = z
  .object({
    v: z.literal(1),
    g: zGroupId,
    k: z.enum(GROUP_KINDS),
    na: zGroupName,
    de: zGroupDescription.optional(),
    r: z.array(zAccountId).min(1).max(GROUP_LISTING_MAX_APPROVERS),
    l: z.boolean(),
    t: z.number().int().nonnegative(),
    a: zAccountId,
    ik: zBytes(32),
    c: zBytes().refine((c) => c.length > 0 && c.length <= 2048, { message: 'certificate size out of range' }),
  })
  .strict();

/** The admin's listing of `state` (listed while the state is discoverable). Throws GroupError NOT_ALLOWED unless the actor is an admin. */
export function signGroupListing(actor: GroupActor & { readonly identityKey: Uint8Array }, state: GroupState, issuedAt: number): Uint8Array {
  if (findMember(state, actor.accountId)?.role !== 'admin') throw new GroupError('NOT_ALLOWED', 'group listing: only admins publish');
  const staff = state.members.filter((m) => m.role !== 'member');
  // Admins first, so a group with many moderators still routes requests to someone who can add anyone.
  const approvers = [...staff.filter((m) => m.role === 'admin'), ...staff.filter((m) => m.role === 'moderator')].slice(0, GROUP_LISTING_MAX_APPROVERS);
  const body = {
    v: 1,
    g: state.groupId,
    k: state.kind,
    na: state.name,
    r: approvers.map((m) => m.accountId),
    l: state.discoverable,
    t: issuedAt,
    a: actor.accountId,
    ik: actor.identityKey,
    c: actor.certificate,
    ...(state.description === undefined ? {} : { de: state.description }),
  };
  const encoded = encodeSigned('group-listing', encodeCbor(body), actor.device.signing.secretKey.bytes);
  if (encoded.length > GROUP_LISTING_MAX_BYTES) throw new GroupError('MALFORMED', 'group listing too large');
  return encoded;
}

/** Checks the listing's own chain (identity key → certificate → signature). Throws GroupError. */
export function verifyGroupListing(bytes: Uint8Array): GroupListing {
  if (bytes.length > GROUP_LISTING_MAX_BYTES) throw new GroupError('MALFORMED', 'group listing too large');
  let body: z.infer<typeof zBody>;
  let bodyBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    ({ body: bodyBytes, signature } = decodeSigned(bytes, 'group listing'));
    body = decodeCbor(bodyBytes, zBody, 'group listing');
  } catch (e) {
    if (isWardlineError(e)) throw new GroupError('MALFORMED', 'group listing does not decode', { cause: e });
    throw e;
  }
  if (accountIdFromIdentityKey(body.ik) !== body.a) throw new GroupError('IDENTITY_MISMATCH', 'group listing: identity key of another account');
  if (!body.r.includes(body.a)) throw new GroupError('MALFORMED', 'group listing: the actor must be an approver');
  let signingKey: Uint8Array;
  try {
    signingKey = verifyDeviceCertificate(body.c, body.ik, body.a).signingKey;
  } catch (e) {
    if (isWardlineError(e)) throw new GroupError('BAD_CERTIFICATE', 'group listing: certificate not issued by the actor', { cause: e });
    throw e;
  }
  if (!verify('group-listing', signature, bodyBytes, signingKey)) throw new GroupError('BAD_SIGNATURE', 'group listing: signature does not verify');
  return {
    groupId: body.g,
    kind: body.k,
    name: body.na,
    approvers: body.r,
    listed: body.l,
    issuedAt: body.t,
    actor: body.a,
    actorIdentityKey: body.ik,
    encoded: bytes,
    ...(body.de === undefined ? {} : { description: body.de }),
  };
}
