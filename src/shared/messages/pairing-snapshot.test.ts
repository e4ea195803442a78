import { describe, expect, it } from 'vitest';
import { isWardlineError } from '../errors';
import { PAIRING_SNAPSHOT_MAX_BYTES, PAIRING_SNAPSHOT_MAX_MESSAGES } from '../limits';
import { encodeCbor } from '../protocol/codec';
import { accountIdFromIdentityKey } from '../protocol/ids';
import { newMessageId } from './message-id';
import { decodePairingSnapshot, encodePairingSnapshot, type SnapshotMessage } from './pairing-snapshot';

const a = accountIdFromIdentityKey(new Uint8Array(32).fill(1));
const b = accountIdFromIdentityKey(new Uint8Array(32).fill(2));
const msg = (sentAt: number, body = 'm'): SnapshotMessage => ({ id: newMessageId(), conversation: b, from: a, body, sentAt });

describe('pairing snapshot', () => {
  it('round-trips, newest first', () => {
    const s = { contacts: [{ accountId: b, profile: { displayName: 'Nurse B', profession: 'Nurse' } }], messages: [msg(1), msg(3), msg(2)] };
    const back = decodePairingSnapshot(encodePairingSnapshot(s));
    expect(back.contacts).toEqual(s.contacts);
    expect(back.messages.map((m) => m.sentAt)).toEqual([3, 2, 1]);
  });

  it('keeps only the newest messages within both bounds', () => {
    const many = Array.from({ length: PAIRING_SNAPSHOT_MAX_MESSAGES + 50 }, (_, i) => msg(i));
    const capped = decodePairingSnapshot(encodePairingSnapshot({ contacts: [], messages: many }));
    expect(capped.messages).toHaveLength(PAIRING_SNAPSHOT_MAX_MESSAGES);
    expect(capped.messages[0]!.sentAt).toBe(PAIRING_SNAPSHOT_MAX_MESSAGES + 49);

    const big = Array.from({ length: 100 }, (_, i) => msg(i, 'x'.repeat(5000)));
    const bytes = encodePairingSnapshot({ contacts: [], messages: big });
    expect(bytes.length).toBeLessThanOrEqual(PAIRING_SNAPSHOT_MAX_BYTES);
    const kept = decodePairingSnapshot(bytes).messages;
    expect(kept.length).toBeGreaterThan(30);
    expect(kept[0]!.sentAt).toBe(99);
  });

  it('rejects malformed snapshots', () => {
    const code = (bytes: Uint8Array) => {
      try {
        decodePairingSnapshot(bytes);
        return 'OK';
      } catch (e) {
        return isWardlineError(e) ? e.code : 'THROWN';
      }
    };
    expect(code(encodeCbor({ v: 1, c: [], m: [{ i: 'x', c: b, f: a, b: 'hi', t: 1 }] }))).toBe('MALFORMED');
    expect(code(encodeCbor({ v: 2, c: [], m: [] }))).toBe('MALFORMED');
    expect(code(new Uint8Array(PAIRING_SNAPSHOT_MAX_BYTES + 1))).toBe('MALFORMED');
  });
});
