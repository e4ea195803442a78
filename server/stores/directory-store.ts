/**
 * What the relay needs from its directory (accounts, devices, prekeys, attestations, wipe
 * commands), whichever engine holds it: the embedded SQLite store (server/directory.ts, the
 * default) or Redis shared by several relay nodes (server/cluster/redis-directory.ts).
 *
 * Reads of devices, accounts, attestations and wipes are synchronous: every send and every auth
 * looks a device up, so each node serves them from memory. Writes update that memory at once and
 * reach the engine in order; `written()` resolves when everything written so far is durable in
 * the engine, and requests that change the directory answer only after it. Prekeys are not held
 * in memory (a one-time prekey must be handed out once across all nodes), so their operations
 * may return a promise.
 */
import type { AccountId, DeviceId } from '../../src/shared/protocol/ids';
import type { DeviceKind } from '../../src/shared/protocol/device-certificate';

export type MaybePromise<T> = T | Promise<T>;

export type DeviceState = 'active' | 'revoked' | 'expired';

export interface DeviceRecord {
  readonly deviceId: DeviceId;
  readonly accountId: AccountId;
  readonly kind: DeviceKind;
  readonly signingKey: Uint8Array;
  /** When the relay first accepted a device list containing this device. */
  readonly authorisedAt: number;
  state: DeviceState;
}

export interface AccountRecord {
  readonly accountId: AccountId;
  readonly identityKey: Uint8Array;
  readonly version: number;
  readonly list: Uint8Array;
}

export interface PrekeyBundle {
  readonly d: DeviceId;
  readonly s: Uint8Array;
  readonly o?: { readonly i: number; readonly k: Uint8Array };
}

export interface OneTimePrekey {
  readonly i: number;
  readonly k: Uint8Array;
}

export interface DirectoryStore {
  device(deviceId: DeviceId): DeviceRecord | undefined;
  devicesOf(accountId: AccountId): readonly DeviceRecord[];
  /** Active desktops (their sessions end): bounded by those, not by every record ever seen. */
  desktops(): Iterable<DeviceRecord>;
  /**
   * Told of each active desktop this node learns of from now on: added here, or (Redis) written
   * by another node. Sessions sets it so that its deadline index misses no desktop.
   */
  onDesktopAdded?: ((record: DeviceRecord) => void) | undefined;
  account(accountId: AccountId): AccountRecord | undefined;
  /** Stores an already verified list; runs inside the caller's transaction. */
  saveAccount(account: AccountRecord, now: number): void;
  addDevice(record: DeviceRecord): void;
  /** Ends a device for good: it never becomes active again (a re-paired desktop has a new id). */
  retire(deviceId: DeviceId, state: 'revoked' | 'expired'): void;
  putSignedPrekey(deviceId: DeviceId, prekey: Uint8Array): MaybePromise<void>;
  /** Adds keys (ignoring ids already held) up to the per-device cap; returns how many are held. */
  putOneTimePrekeys(deviceId: DeviceId, keys: readonly OneTimePrekey[]): MaybePromise<number>;
  countOneTimePrekeys(deviceId: DeviceId): MaybePromise<number>;
  /** Each live device with a signed prekey, with one one-time prekey taken (never handed out again). */
  takeBundles(accountId: AccountId, isLive: (d: DeviceRecord) => boolean): MaybePromise<PrekeyBundle[]>;
  /** False when the account already holds the maximum number of attestations. */
  putAttestation(accountId: AccountId, name: string, blob: Uint8Array): boolean;
  attestations(accountId: AccountId): { n: string; b: Uint8Array }[];
  /** Every stored attestation with this name (the verification authority's index). */
  attestationsNamed(name: string): Iterable<{ accountId: AccountId; blob: Uint8Array }>;
  putWipe(deviceId: DeviceId, accountId: AccountId, command: Uint8Array, now: number): void;
  wipeFor(deviceId: DeviceId): Uint8Array | undefined;
  transaction<T>(fn: () => T): T;
  /** Resolves once every write made so far is durable in the engine (undefined: already is). */
  written(): Promise<void> | undefined;
}
