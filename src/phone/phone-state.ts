/**
 * Everything the companion phone remembers, as one CBOR file (`<data dir>/phone-state.cbor`,
 * mode 0600, replaced atomically). It holds the account's private keys: it is a test and demo
 * tool's storage, never logged or printed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeCbor, encodeCbor, zBytes } from '../shared/protocol/codec';
import { zAccountId, zDeviceId, type AccountId, type DeviceId } from '../shared/protocol/ids';
import { zMessageId, type MessageId } from '../shared/messages/message-id';
import type { Profile } from '../shared/messages/profile';
import type { SessionStoreSnapshot } from './phone-session-store';

export const PHONE_STATE_FILE = 'phone-state.cbor';
/** Messages kept for the pairing snapshot and `listen`; the oldest go first. */
export const PHONE_HISTORY_MAX = 1000;

export interface HistoryEntry {
  readonly id: MessageId;
  readonly conversation: AccountId;
  readonly from: AccountId;
  readonly body: string;
  readonly sentAt: number;
}

export interface LinkedDesktopRecord {
  readonly workstationId: string;
  readonly deviceId: DeviceId;
  readonly name: string;
  readonly linkedAt: number;
}

export interface KnownAccount {
  readonly identityKey: Uint8Array;
  readonly version: number;
  readonly list: Uint8Array;
}

export interface PhoneState {
  relayUrl: string;
  profile: Profile;
  identitySecret: Uint8Array;
  device: { deviceId: DeviceId; signingSecret: Uint8Array; dhSecret: Uint8Array; certificate: Uint8Array };
  deviceListVersion: number;
  /** Certificates of the account's other devices (linked desktops), by device id. */
  otherDevices: Record<string, Uint8Array>;
  desktops: LinkedDesktopRecord[];
  databaseKeys: Record<string, Uint8Array>;
  nextSignedPrekeyId: number;
  nextOneTimePrekeyId: number;
  sessions: SessionStoreSnapshot;
  knownAccounts: Record<string, KnownAccount>;
  contacts: Record<string, Profile>;
  history: HistoryEntry[];
}

const zProfile = z.object({ displayName: z.string().max(100), profession: z.string().max(100) }).strict();
const zBytesRecord = z.record(z.string(), zBytes());
const zState = z
  .object({
    v: z.literal(1),
    relayUrl: z.string(),
    profile: zProfile,
    identitySecret: zBytes(32),
    device: z.object({ deviceId: zDeviceId, signingSecret: zBytes(32), dhSecret: zBytes(32), certificate: zBytes() }).strict(),
    deviceListVersion: z.number().int().positive(),
    otherDevices: zBytesRecord,
    desktops: z.array(z.object({ workstationId: z.string(), deviceId: zDeviceId, name: z.string(), linkedAt: z.number() }).strict()),
    databaseKeys: zBytesRecord,
    nextSignedPrekeyId: z.number().int().nonnegative(),
    nextOneTimePrekeyId: z.number().int().nonnegative(),
    sessions: z
      .object({ sessions: zBytesRecord, signedPrekeys: zBytesRecord, oneTimePrekeys: zBytesRecord, seen: z.record(z.string(), z.number()) })
      .strict(),
    knownAccounts: z.record(z.string(), z.object({ identityKey: zBytes(32), version: z.number().int(), list: zBytes() }).strict()),
    contacts: z.record(z.string(), zProfile),
    history: z.array(z.object({ id: zMessageId, conversation: zAccountId, from: zAccountId, body: z.string(), sentAt: z.number() }).strict()),
  })
  .strict();

export function encodePhoneState(state: PhoneState): Uint8Array {
  return encodeCbor({ v: 1, ...state });
}

export function decodePhoneState(bytes: Uint8Array): PhoneState {
  const { v: _v, ...state } = decodeCbor(bytes, zState, 'phone state');
  return state;
}

export function phoneStateExists(dir: string): boolean {
  return existsSync(join(dir, PHONE_STATE_FILE));
}

export function loadPhoneState(dir: string): PhoneState {
  return decodePhoneState(new Uint8Array(readFileSync(join(dir, PHONE_STATE_FILE))));
}

export function savePhoneState(dir: string, state: PhoneState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, PHONE_STATE_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, encodePhoneState(state), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
