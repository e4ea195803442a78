/**
 * How directory records are stored in Redis (CBOR values in hashes) and read back: anything that
 * does not parse, or has ids that are not ids, is not ours and reads as undefined.
 */
import { z } from 'zod';
import { decodeCbor, encodeCbor, zBytes } from '../../src/shared/protocol/codec';
import type { AccountId, DeviceId } from '../../src/shared/protocol/ids';
import type { AccountRecord, DeviceRecord } from '../stores/directory-store';

const zDeviceEntry = z.object({ a: z.string(), k: z.enum(['phone', 'desktop']), s: zBytes(32), t: z.number().int() });
const zAccountEntry = z.object({ i: zBytes(32), v: z.number().int().positive(), l: zBytes() });
const zState = z.enum(['active', 'revoked', 'expired']);
export const ID = /^[0-9a-f]{32}$/;

export function encodeAccountEntry(account: AccountRecord): Uint8Array {
  return encodeCbor({ i: account.identityKey, v: account.version, l: account.list });
}

export function encodeDeviceEntry(d: DeviceRecord): Uint8Array {
  return encodeCbor({ a: d.accountId, k: d.kind, s: d.signingKey, t: d.authorisedAt });
}

export function decodeAccountEntry(id: string, blob: Uint8Array): AccountRecord | undefined {
  try {
    if (!ID.test(id)) return undefined;
    const entry = decodeCbor(blob, zAccountEntry, 'account');
    return { accountId: id as AccountId, identityKey: entry.i, version: entry.v, list: entry.l };
  } catch {
    return undefined;
  }
}

export function decodeDeviceEntry(id: string, blob: Uint8Array, stateText: string | undefined): DeviceRecord | undefined {
  try {
    const state = zState.safeParse(stateText);
    if (!ID.test(id) || !state.success) return undefined;
    const entry = decodeCbor(blob, zDeviceEntry, 'device');
    if (!ID.test(entry.a)) return undefined;
    return { deviceId: id as DeviceId, accountId: entry.a as AccountId, kind: entry.k, signingKey: entry.s, authorisedAt: entry.t, state: state.data };
  } catch {
    return undefined;
  }
}
