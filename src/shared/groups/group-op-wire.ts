/** The operations of a group change on the wire (the `o` of a change body, group-change.ts). */
import { z } from 'zod';
import { BROADCAST_MAX_MEMBERS } from '../limits';
import { zAccountId } from '../protocol/ids';
import type { GroupOp } from './group-rules';
import { groupMember, GROUP_KINDS, GROUP_ROLES, zGroupDescription, zGroupName, zGroupPicture, zMemberWire } from './group-state';

export const zOp = z.discriminatedUnion('o', [
  z
    .object({ o: z.literal('create'), k: z.enum(GROUP_KINDS), na: zGroupName, pi: zGroupPicture.optional(), di: z.boolean(), de: zGroupDescription.optional(), m: z.array(zMemberWire).min(1).max(BROADCAST_MAX_MEMBERS) })
    .strict(),
  z.object({ o: z.literal('add'), m: z.array(zMemberWire).min(1).max(BROADCAST_MAX_MEMBERS) }).strict(),
  z.object({ o: z.literal('remove'), r: z.array(zAccountId).min(1).max(BROADCAST_MAX_MEMBERS) }).strict(),
  z.object({ o: z.literal('leave'), s: zAccountId.optional() }).strict(),
  z.object({ o: z.literal('role'), a: zAccountId, r: z.enum(GROUP_ROLES) }).strict(),
  z.object({ o: z.literal('rename'), na: zGroupName }).strict(),
  z.object({ o: z.literal('picture'), pi: zGroupPicture.nullable() }).strict(),
  z.object({ o: z.literal('discoverable'), on: z.boolean(), de: zGroupDescription.optional() }).strict(),
  z.object({ o: z.literal('sync') }).strict(),
]);
export type OpWire = z.infer<typeof zOp>;

// Outgoing wire is built loosely typed: zod's inferred types narrow Uint8Array's buffer type.
export function opToWire(op: GroupOp): Record<string, unknown> {
  const members = (ms: readonly { identityKey: Uint8Array; role: (typeof GROUP_ROLES)[number] }[]) => ms.map((m) => [m.identityKey, m.role]);
  switch (op.op) {
    case 'create':
      return {
        o: 'create',
        k: op.kind,
        na: op.name,
        di: op.discoverable,
        m: members(op.members),
        ...(op.picture === undefined ? {} : { pi: op.picture }),
        ...(op.description === undefined ? {} : { de: op.description }),
      };
    case 'add':
      return { o: 'add', m: members(op.members) };
    case 'remove':
      return { o: 'remove', r: [...op.accountIds] };
    case 'leave':
      return op.successor === undefined ? { o: 'leave' } : { o: 'leave', s: op.successor };
    case 'role':
      return { o: 'role', a: op.accountId, r: op.role };
    case 'rename':
      return { o: 'rename', na: op.name };
    case 'picture':
      return { o: 'picture', pi: op.picture };
    case 'discoverable':
      return op.description === undefined ? { o: 'discoverable', on: op.on } : { o: 'discoverable', on: op.on, de: op.description };
    case 'sync':
      return { o: 'sync' };
  }
}

export function opFromWire(w: OpWire): GroupOp {
  const members = (ms: [Uint8Array, (typeof GROUP_ROLES)[number]][]) => ms.map(([key, role]) => groupMember(key, role));
  switch (w.o) {
    case 'create':
      return {
        op: 'create',
        kind: w.k,
        name: w.na,
        discoverable: w.di,
        members: members(w.m),
        ...(w.pi === undefined ? {} : { picture: w.pi }),
        ...(w.de === undefined ? {} : { description: w.de }),
      };
    case 'add':
      return { op: 'add', members: members(w.m) };
    case 'remove':
      return { op: 'remove', accountIds: w.r };
    case 'leave':
      return w.s === undefined ? { op: 'leave' } : { op: 'leave', successor: w.s };
    case 'role':
      return { op: 'role', accountId: w.a, role: w.r };
    case 'rename':
      return { op: 'rename', name: w.na };
    case 'picture':
      return { op: 'picture', picture: w.pi };
    case 'discoverable':
      return w.de === undefined ? { op: 'discoverable', on: w.on } : { op: 'discoverable', on: w.on, description: w.de };
    case 'sync':
      return { op: 'sync' };
  }
}
