/**
 * Group content kinds inside the ratchet (docs/trust-and-groups.md, "Groups"):
 *   group-change       { v: 1, k: "group-change", c: signed group change, s?: state snapshot }
 *   group-join-request { v: 1, k: "group-join-request", g: GroupId, a?: verification attestation, m?: note }
 * Group text and attachments are the ordinary kinds with `g`: GroupId.
 */
import { z } from 'zod';
import { GROUP_CHANGE_MAX_BYTES, GROUP_JOIN_NOTE_MAX_CHARS, GROUP_SNAPSHOT_MAX_BYTES, RELAY_MAX_ATTESTATION_BYTES } from '../limits';
import { zBytes } from '../protocol/codec';
import { zGroupId, type GroupId } from '../groups/group-id';

export interface GroupChangeContent {
  readonly kind: 'group-change';
  /** A signed change (src/shared/groups/group-change.ts). */
  readonly change: Uint8Array;
  /** The resulting state, for new members and members catching up. */
  readonly snapshot?: Uint8Array;
}

export interface GroupJoinRequestContent {
  readonly kind: 'group-join-request';
  readonly groupId: GroupId;
  /** The requester's verification attestation, so an approver can check who asks. */
  readonly attestation?: Uint8Array;
  readonly note?: string;
}

export type GroupContent = GroupChangeContent | GroupJoinRequestContent;

const sized = (max: number) => zBytes().refine((b) => b.length > 0 && b.length <= max, { message: 'size out of range' });

export const zGroupChangeWire = z.object({ c: sized(GROUP_CHANGE_MAX_BYTES), s: sized(GROUP_SNAPSHOT_MAX_BYTES).optional() });
export const zGroupJoinRequestWire = z.object({
  g: zGroupId,
  a: sized(RELAY_MAX_ATTESTATION_BYTES).optional(),
  m: z.string().min(1).max(GROUP_JOIN_NOTE_MAX_CHARS).optional(),
});

export function groupContentToWire(c: GroupContent): Record<string, unknown> {
  switch (c.kind) {
    case 'group-change':
      return c.snapshot === undefined ? { c: c.change } : { c: c.change, s: c.snapshot };
    case 'group-join-request':
      return { g: c.groupId, ...(c.attestation === undefined ? {} : { a: c.attestation }), ...(c.note === undefined ? {} : { m: c.note }) };
  }
}

export function groupChangeFromWire(w: z.infer<typeof zGroupChangeWire>): GroupChangeContent {
  return w.s === undefined ? { kind: 'group-change', change: w.c } : { kind: 'group-change', change: w.c, snapshot: w.s };
}

export function groupJoinRequestFromWire(w: z.infer<typeof zGroupJoinRequestWire>): GroupJoinRequestContent {
  return {
    kind: 'group-join-request',
    groupId: w.g,
    ...(w.a === undefined ? {} : { attestation: w.a }),
    ...(w.m === undefined ? {} : { note: w.m }),
  };
}
