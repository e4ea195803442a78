import { describe, expect, it } from 'vitest';
import { isWardlineError } from '../errors';
import { newGroupId } from '../groups/group-id';
import { buildGroupState, encodeGroupState, groupMember, type GroupState } from '../groups/group-state';
import { PAIRING_SNAPSHOT_GROUPS_MAX_BYTES, PAIRING_SNAPSHOT_MAX_BYTES, PAIRING_SNAPSHOT_MAX_GROUPS } from '../limits';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey } from '../protocol/ids';
import { newMessageId } from './message-id';
import { decodePairingSnapshot, encodePairingSnapshot } from './pairing-snapshot';
import { z } from 'zod';

const key = (n: number) => new Uint8Array(32).fill(n);
const a = accountIdFromIdentityKey(key(1));
const b = accountIdFromIdentityKey(key(2));

function group(name: string, kind: 'group' | 'broadcast' = 'group', picture?: Uint8Array): GroupState {
  return buildGroupState(
    { groupId: newGroupId(), kind, name, discoverable: false, members: [groupMember(key(1), 'admin'), groupMember(key(2), 'member')], ...(picture ? { picture } : {}) },
    3,
  );
}

/** Rewrites the `g` section of an encoded snapshot. */
function withGroupSection(section: unknown): Uint8Array {
  return encodeCbor({ v: 1, c: [], m: [], g: section });
}

function code(bytes: Uint8Array): string {
  try {
    decodePairingSnapshot(bytes);
    return 'OK';
  } catch (e) {
    return isWardlineError(e) ? e.code : 'THROWN';
  }
}

describe('pairing snapshot: groups', () => {
  it('carries group states and broadcast views, re-checked, next to contacts and messages', () => {
    const ward = group('Ward 4');
    const recall = group('Recalls', 'broadcast');
    const bytes = encodePairingSnapshot({
      contacts: [{ accountId: b, profile: { displayName: 'Nurse B', profession: 'Nurse' } }],
      messages: [{ id: newMessageId(), conversation: b, from: a, body: 'hi', sentAt: 1 }],
      groups: [ward, recall],
    });
    const back = decodePairingSnapshot(bytes);
    expect(back.skippedGroups).toBeUndefined();
    expect(back.messages).toHaveLength(1);
    const byId = new Map(back.groups?.map((g) => [g.groupId, g]));
    expect(byId.get(ward.groupId)).toEqual(ward);
    expect(byId.get(recall.groupId)?.kind).toBe('broadcast');
    expect(byId.get(recall.groupId)?.hash).toEqual(recall.hash);
  });

  it('leaves the field out when there are no groups (the snapshot older desktops read)', () => {
    const bytes = encodePairingSnapshot({ contacts: [], messages: [], groups: [] });
    const raw = decodeCbor(bytes, z.record(z.string(), z.unknown()), 'raw');
    expect(Object.keys(raw).sort()).toEqual(['c', 'm', 'v']);
    expect(decodePairingSnapshot(bytes)).toEqual({ contacts: [], messages: [] });
    // A snapshot from a phone before groups decodes to no groups.
    expect(decodePairingSnapshot(encodeCbor({ v: 1, c: [], m: [] })).groups).toBeUndefined();
  });

  it('skips a malformed, tampered or duplicate entry by code and keeps the rest', () => {
    const good = group('Ward 4');
    const goodBytes = encodeGroupState(good);
    const tampered = encodeGroupState(group('MDT'));
    // Flip a byte inside the state: it no longer decodes, or decodes to other members/name.
    const broken = tampered.slice(0, tampered.length - 3);
    const noAdmin = encodeCbor({ g: newGroupId(), k: 'group', na: 'x', di: false, m: [[key(2), 'member']], n: 1 });
    const back = decodePairingSnapshot(withGroupSection({ v: 1, s: [goodBytes, broken, noAdmin, 'not bytes', goodBytes] }));
    expect(back.groups?.map((g) => g.groupId)).toEqual([good.groupId]);
    expect(back.skippedGroups).toEqual(['MALFORMED', 'MALFORMED', 'NOT_BYTES', 'DUPLICATE']);
  });

  it('skips a group section of an unknown version but still decodes the snapshot', () => {
    const back = decodePairingSnapshot(withGroupSection({ v: 2, s: [encodeGroupState(group('Ward 4'))], extra: true }));
    expect(back.groups).toBeUndefined();
    expect(back.skippedGroups).toEqual(['UNSUPPORTED_VERSION']);
  });

  it('refuses a snapshot with too many group entries, a bad section, or past the byte bound', () => {
    expect(code(withGroupSection({ v: 1, s: Array.from({ length: PAIRING_SNAPSHOT_MAX_GROUPS + 1 }, () => new Uint8Array(1)) }))).toBe('MALFORMED');
    expect(code(withGroupSection('groups'))).toBe('MALFORMED');
    const huge = new Uint8Array(PAIRING_SNAPSHOT_MAX_BYTES);
    expect(code(withGroupSection({ v: 1, s: [huge] }))).toBe('MALFORMED');
  });

  it('keeps groups within their budget, smallest first, and shrinks messages before groups', () => {
    const picture = (n: number) => new Uint8Array(60 * 1024).fill(n);
    // Three ~60 KiB states: two of them and the small one fit the group budget.
    const big = [group('A', 'group', picture(1)), group('B', 'group', picture(2)), group('C', 'group', picture(3))];
    const small = group('small');
    const messages = Array.from({ length: 100 }, (_, i) => ({ id: newMessageId(), conversation: b, from: a, body: 'x'.repeat(5000), sentAt: i }));
    const bytes = encodePairingSnapshot({ contacts: [], messages, groups: [...big, small] });
    expect(bytes.length).toBeLessThanOrEqual(PAIRING_SNAPSHOT_MAX_BYTES);
    const back = decodePairingSnapshot(bytes);
    expect(back.groups).toHaveLength(3);
    expect(back.groups?.map((g) => g.groupId)).toContain(small.groupId);
    const groupBytes = (back.groups ?? []).reduce((n, g) => n + encodeGroupState(g).length, 0);
    expect(groupBytes).toBeLessThanOrEqual(PAIRING_SNAPSHOT_GROUPS_MAX_BYTES);
    expect(back.messages.length).toBeGreaterThan(0);
    expect(back.messages[0]!.sentAt).toBe(99);
  });
});
