/**
 * The bounded picture of recent conversations a phone hands to a desktop it has just linked,
 * so the desktop does not start empty. Sent inside the encrypted pairing channel only.
 *
 * Layout: { v: 1, c: [{ a: AccountId, n: displayName, p: profession }],
 *           m: [{ i: MessageId, c: conversation peer AccountId, f: sender AccountId, b: body, t: sentAt ms }] }
 *         g?: group section (./pairing-snapshot-groups.ts) }
 * Messages are newest first; the builder drops the oldest until both bounds hold. Group states
 * go in first (within their own byte budget): without them the desktop cannot use its groups,
 * without old messages it only misses history. Unknown top-level fields are ignored, so a later
 * phone may add one; a desktop built before `g` refuses a snapshot carrying it (docs/protocol.md §14).
 */
import { z } from 'zod';
import { PAIRING_SNAPSHOT_MAX_BYTES, PAIRING_SNAPSHOT_MAX_MESSAGES, MESSAGE_TEXT_MAX_CHARS, PROFILE_FIELD_MAX_CHARS } from '../limits';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { zAccountId, type AccountId } from '../protocol/ids';
import { zMessageId, type MessageId } from './message-id';
import type { GroupState } from '../groups/group-state';
import { groupsFromWire, groupsToWire, type SnapshotGroupSkipCode, type SnapshotGroupsWire } from './pairing-snapshot-groups';
import type { Profile } from './profile';

export const SNAPSHOT_MAX_CONTACTS = 1000;

export interface SnapshotContact {
  readonly accountId: AccountId;
  readonly profile: Profile;
}

export interface SnapshotMessage {
  readonly id: MessageId;
  /** The conversation (1:1: the peer account). */
  readonly conversation: AccountId;
  readonly from: AccountId;
  readonly body: string;
  readonly sentAt: number;
}

export interface PairingSnapshot {
  readonly contacts: readonly SnapshotContact[];
  readonly messages: readonly SnapshotMessage[];
  /** The group states the phone holds; absent when there are none (and from phones before groups). */
  readonly groups?: readonly GroupState[];
  /** Decoding only: codes of group entries that were skipped (never their content); absent when none. */
  readonly skippedGroups?: readonly SnapshotGroupSkipCode[];
}

export const EMPTY_SNAPSHOT: PairingSnapshot = { contacts: [], messages: [] };

const zField = z.string().max(PROFILE_FIELD_MAX_CHARS);
// Not strict at the top level: a field added later is ignored here (each part below is strict).
const zSnapshot = z
  .object({
    v: z.literal(1),
    c: z.array(z.object({ a: zAccountId, n: zField, p: zField }).strict()).max(SNAPSHOT_MAX_CONTACTS),
    m: z
      .array(
        z
          .object({ i: zMessageId, c: zAccountId, f: zAccountId, b: z.string().max(MESSAGE_TEXT_MAX_CHARS), t: z.number().int().nonnegative() })
          .strict(),
      )
      .max(PAIRING_SNAPSHOT_MAX_MESSAGES),
    g: z.unknown().optional(),
  });

function toWire(s: PairingSnapshot, groups: SnapshotGroupsWire | undefined): unknown {
  return {
    v: 1,
    c: s.contacts.map((c) => ({ a: c.accountId, n: c.profile.displayName, p: c.profile.profession })),
    m: s.messages.map((m) => ({ i: m.id, c: m.conversation, f: m.from, b: m.body, t: m.sentAt })),
    ...(groups ? { g: groups } : {}),
  };
}

/**
 * Encodes at most PAIRING_SNAPSHOT_MAX_MESSAGES of the newest messages and drops older ones
 * until the encoding fits PAIRING_SNAPSHOT_MAX_BYTES; contacts beyond the cap are dropped. Group
 * states that do not fit their budget (pairing-snapshot-groups.ts) are left out, the largest first.
 */
export function encodePairingSnapshot(snapshot: PairingSnapshot): Uint8Array {
  const contacts = snapshot.contacts.slice(0, SNAPSHOT_MAX_CONTACTS);
  let messages = [...snapshot.messages].sort((x, y) => y.sentAt - x.sentAt).slice(0, PAIRING_SNAPSHOT_MAX_MESSAGES);
  let groups = groupsToWire(snapshot.groups);
  for (;;) {
    const bytes = encodeCbor(toWire({ contacts, messages }, groups));
    if (bytes.length <= PAIRING_SNAPSHOT_MAX_BYTES) return bytes;
    if (messages.length === 0 && groups && groups.s.length > 0) {
      const s = groups.s.slice(0, -1);
      groups = s.length > 0 ? { v: groups.v, s } : undefined;
      continue;
    }
    if (messages.length === 0) throw new ProtocolError('MALFORMED', 'pairing snapshot: contacts alone exceed the size bound');
    // Shrink in proportion to the excess so a large snapshot takes a few rounds, not hundreds.
    const keep = Math.min(messages.length - 1, Math.floor((messages.length * PAIRING_SNAPSHOT_MAX_BYTES) / bytes.length));
    messages = messages.slice(0, Math.max(0, keep));
  }
}

export function decodePairingSnapshot(bytes: Uint8Array): PairingSnapshot {
  if (bytes.length > PAIRING_SNAPSHOT_MAX_BYTES) throw new ProtocolError('MALFORMED', 'pairing snapshot: too large');
  const s = decodeCbor(bytes, zSnapshot, 'pairing snapshot');
  const { groups, skipped } = groupsFromWire(s.g);
  return {
    // Left out when empty: a snapshot without groups decodes exactly as it did before groups.
    ...(groups.length > 0 ? { groups } : {}),
    ...(skipped.length > 0 ? { skippedGroups: skipped } : {}),
    contacts: s.c.map((c) => ({ accountId: c.a, profile: { displayName: c.n, profession: c.p } })),
    messages: s.m.map((m) => ({ id: m.i, conversation: m.c, from: m.f, body: m.b, sentAt: m.t })),
  };
}
