/**
 * The group section of the pairing snapshot: the group states the phone holds (for a broadcast
 * list it administers, the full state; for one it receives, its own view), so a newly linked
 * desktop can send to and receive from its groups at once.
 *
 * Wire: `g: { v: 1, s: [encodeGroupState bytes, …] }`, absent when the phone has no groups, so a
 * snapshot without groups is byte-for-byte what it was before groups existed. Every entry is
 * decoded and re-checked on its own (decodeGroupState recomputes the hash); an entry that fails
 * is skipped and reported by code only, and the pairing goes on. A section of an unknown `v` is
 * skipped whole, so a later phone can change the layout without failing this desktop's pairing.
 */
import { z } from 'zod';
import { isWardlineError, ProtocolError } from '../errors';
import { decodeGroupState, encodeGroupState, type GroupState } from '../groups/group-state';
import { GROUP_SNAPSHOT_MAX_BYTES, PAIRING_SNAPSHOT_GROUPS_MAX_BYTES, PAIRING_SNAPSHOT_MAX_GROUPS } from '../limits';

export const SNAPSHOT_GROUPS_VERSION = 1;

/** Why a group entry was left out: a GroupError code, or one of these. */
export type SnapshotGroupSkipCode = 'TOO_LARGE' | 'NOT_BYTES' | 'DUPLICATE' | 'UNSUPPORTED_VERSION' | (string & {});

export const zSnapshotGroupsWire = z.object({ v: z.number().int(), s: z.array(z.unknown()).max(PAIRING_SNAPSHOT_MAX_GROUPS) });

export interface SnapshotGroupsWire {
  readonly v: number;
  readonly s: Uint8Array[];
}

/**
 * Encodes states, smallest first, while they fit PAIRING_SNAPSHOT_GROUPS_MAX_BYTES (and each
 * GROUP_SNAPSHOT_MAX_BYTES), at most PAIRING_SNAPSHOT_MAX_GROUPS. Returns undefined for none.
 */
export function groupsToWire(states: readonly GroupState[] | undefined): SnapshotGroupsWire | undefined {
  if (!states || states.length === 0) return undefined;
  const encoded = states.map((s) => encodeGroupState(s)).sort((x, y) => x.length - y.length);
  const kept: Uint8Array[] = [];
  let used = 0;
  for (const bytes of encoded) {
    if (kept.length >= PAIRING_SNAPSHOT_MAX_GROUPS) break;
    if (bytes.length > GROUP_SNAPSHOT_MAX_BYTES || used + bytes.length > PAIRING_SNAPSHOT_GROUPS_MAX_BYTES) continue;
    kept.push(bytes);
    used += bytes.length;
  }
  return kept.length === 0 ? undefined : { v: SNAPSHOT_GROUPS_VERSION, s: kept };
}

export interface DecodedSnapshotGroups {
  readonly groups: GroupState[];
  readonly skipped: SnapshotGroupSkipCode[];
}

export function groupsFromWire(wire: unknown): DecodedSnapshotGroups {
  if (wire === undefined) return { groups: [], skipped: [] };
  const parsed = zSnapshotGroupsWire.safeParse(wire);
  // An oversized list is not a phone we wrote: refuse the snapshot rather than guess.
  if (!parsed.success) throw new ProtocolError('MALFORMED', 'pairing snapshot: bad group section');
  if (parsed.data.v !== SNAPSHOT_GROUPS_VERSION) return { groups: [], skipped: ['UNSUPPORTED_VERSION'] };
  const groups: GroupState[] = [];
  const skipped: SnapshotGroupSkipCode[] = [];
  const seen = new Set<string>();
  for (const entry of parsed.data.s) {
    if (!(entry instanceof Uint8Array)) {
      skipped.push('NOT_BYTES');
      continue;
    }
    if (entry.length > GROUP_SNAPSHOT_MAX_BYTES) {
      skipped.push('TOO_LARGE');
      continue;
    }
    let state: GroupState;
    try {
      state = decodeGroupState(entry);
    } catch (err) {
      skipped.push(isWardlineError(err) ? err.code : 'MALFORMED');
      continue;
    }
    if (seen.has(state.groupId)) {
      skipped.push('DUPLICATE');
      continue;
    }
    seen.add(state.groupId);
    groups.push(state);
  }
  return { groups, skipped };
}
