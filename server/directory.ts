/**
 * The directory: accounts (pinned identity key + current signed device list), the devices the
 * relay has seen, prekeys, attestations and pending wipe commands. Device records are cached in
 * memory because every send and every auth looks one up.
 */
import type { AccountId, DeviceId } from '../src/shared/protocol/ids';
import type { DeviceKind } from '../src/shared/protocol/device-certificate';
import { RELAY_MAX_ATTESTATIONS_PER_ACCOUNT, RELAY_MAX_ONE_TIME_PREKEYS_PER_DEVICE } from '../src/shared/limits';
import type { RelayDatabase } from './database';
import type { AccountRecord, DeviceRecord, DeviceState, DirectoryStore, PrekeyBundle } from './stores/directory-store';

export type { AccountRecord, DeviceRecord, DeviceState } from './stores/directory-store';

interface DeviceRow {
  device_id: string;
  account_id: string;
  kind: DeviceKind;
  signing_key: Uint8Array;
  authorised_at: number;
  state: DeviceState;
}

/** The embedded (single-node) directory: the default store. */
class SqliteDirectory implements DirectoryStore {
  readonly #devices = new Map<DeviceId, DeviceRecord>();
  readonly #byAccount = new Map<AccountId, DeviceRecord[]>();
  /** Active desktops only: what the session sweep looks at, however many records history holds. */
  readonly #activeDesktops = new Set<DeviceRecord>();
  onDesktopAdded: ((record: DeviceRecord) => void) | undefined;
  readonly #sql;

  constructor(private readonly db: RelayDatabase) {
    this.#sql = {
      account: db.prepare<[string], { identity_key: Uint8Array; version: number; list: Uint8Array }>(
        'SELECT identity_key, version, list FROM accounts WHERE account_id = ?',
      ),
      upsertAccount: db.prepare(
        `INSERT INTO accounts (account_id, identity_key, version, list, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET version = excluded.version, list = excluded.list, updated_at = excluded.updated_at`,
      ),
      insertDevice: db.prepare(
        'INSERT INTO devices (device_id, account_id, kind, signing_key, authorised_at, state) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      setState: db.prepare('UPDATE devices SET state = ? WHERE device_id = ?'),
      putSignedPrekey: db.prepare(
        'INSERT INTO signed_prekeys (device_id, prekey) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET prekey = excluded.prekey',
      ),
      signedPrekey: db.prepare<[string], { prekey: Uint8Array }>('SELECT prekey FROM signed_prekeys WHERE device_id = ?'),
      putOneTimePrekey: db.prepare('INSERT OR IGNORE INTO one_time_prekeys (device_id, key_id, key) VALUES (?, ?, ?)'),
      countOneTimePrekeys: db.prepare<[string], number>('SELECT count(*) FROM one_time_prekeys WHERE device_id = ?').pluck(),
      takeOneTimePrekey: db.prepare<[string, string], { key_id: number; key: Uint8Array }>(
        `DELETE FROM one_time_prekeys WHERE device_id = ? AND key_id =
           (SELECT key_id FROM one_time_prekeys WHERE device_id = ? ORDER BY key_id LIMIT 1)
         RETURNING key_id, key`,
      ),
      dropPrekeys: db.prepare('DELETE FROM one_time_prekeys WHERE device_id = ?'),
      dropSignedPrekey: db.prepare('DELETE FROM signed_prekeys WHERE device_id = ?'),
      putAttestation: db.prepare(
        'INSERT INTO attestations (account_id, name, blob) VALUES (?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET blob = excluded.blob',
      ),
      hasAttestation: db.prepare<[string, string], number>('SELECT count(*) FROM attestations WHERE account_id = ? AND name = ?').pluck(),
      countAttestations: db.prepare<[string], number>('SELECT count(*) FROM attestations WHERE account_id = ?').pluck(),
      attestations: db.prepare<[string], { name: string; blob: Uint8Array }>(
        'SELECT name, blob FROM attestations WHERE account_id = ? ORDER BY name',
      ),
      putWipe: db.prepare(
        'INSERT INTO wipes (device_id, account_id, command, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET command = excluded.command',
      ),
      wipe: db.prepare<[string], Uint8Array>('SELECT command FROM wipes WHERE device_id = ?').pluck(),
      named: db.prepare<[string], { account_id: string; blob: Uint8Array }>('SELECT account_id, blob FROM attestations WHERE name = ?'),
    };
    for (const row of db.prepare<[], DeviceRow>('SELECT * FROM devices').all()) {
      this.#remember({
        deviceId: row.device_id as DeviceId,
        accountId: row.account_id as AccountId,
        kind: row.kind,
        signingKey: row.signing_key,
        authorisedAt: row.authorised_at,
        state: row.state,
      });
    }
  }

  device(deviceId: DeviceId): DeviceRecord | undefined {
    return this.#devices.get(deviceId);
  }

  devicesOf(accountId: AccountId): readonly DeviceRecord[] {
    return this.#byAccount.get(accountId) ?? [];
  }

  #remember(record: DeviceRecord): void {
    this.#devices.set(record.deviceId, record);
    const mine = this.#byAccount.get(record.accountId);
    if (mine) mine.push(record);
    else this.#byAccount.set(record.accountId, [record]);
    if (record.kind === 'desktop' && record.state === 'active') {
      this.#activeDesktops.add(record);
      this.onDesktopAdded?.(record);
    }
  }

  desktops(): Iterable<DeviceRecord> {
    return this.#activeDesktops.values();
  }

  account(accountId: AccountId): AccountRecord | undefined {
    const row = this.#sql.account.get(accountId);
    return row && { accountId, identityKey: row.identity_key, version: row.version, list: row.list };
  }

  /** Stores an already verified list; runs inside the caller's transaction. */
  saveAccount(account: AccountRecord, now: number): void {
    this.#sql.upsertAccount.run(account.accountId, account.identityKey, account.version, account.list, now);
  }

  addDevice(record: DeviceRecord): void {
    this.#sql.insertDevice.run(record.deviceId, record.accountId, record.kind, record.signingKey, record.authorisedAt, record.state);
    this.#remember(record);
  }

  /** Ends a device for good: it never becomes active again (a re-paired desktop has a new id). */
  retire(deviceId: DeviceId, state: 'revoked' | 'expired'): void {
    const record = this.#devices.get(deviceId);
    if (!record || record.state !== 'active') return;
    this.#sql.setState.run(state, deviceId);
    this.#sql.dropPrekeys.run(deviceId);
    this.#sql.dropSignedPrekey.run(deviceId);
    record.state = state;
    this.#activeDesktops.delete(record);
  }

  putSignedPrekey(deviceId: DeviceId, prekey: Uint8Array): void {
    this.#sql.putSignedPrekey.run(deviceId, prekey);
  }

  /** Adds keys (ignoring ids already held) up to the per-device cap; returns how many are held. */
  putOneTimePrekeys(deviceId: DeviceId, keys: readonly { i: number; k: Uint8Array }[]): number {
    return this.db.transaction(() => {
      let held = this.#sql.countOneTimePrekeys.get(deviceId) ?? 0;
      for (const key of keys) {
        if (held >= RELAY_MAX_ONE_TIME_PREKEYS_PER_DEVICE) break;
        held += this.#sql.putOneTimePrekey.run(deviceId, key.i, key.k).changes;
      }
      return held;
    })();
  }

  countOneTimePrekeys(deviceId: DeviceId): number {
    return this.#sql.countOneTimePrekeys.get(deviceId) ?? 0;
  }

  /** Each active device with a signed prekey, with one one-time prekey taken (and so never handed out again). */
  takeBundles(accountId: AccountId, isLive: (d: DeviceRecord) => boolean): PrekeyBundle[] {
    return this.db.transaction(() => {
      const bundles: PrekeyBundle[] = [];
      for (const device of this.devicesOf(accountId)) {
        if (!isLive(device)) continue;
        const signed = this.#sql.signedPrekey.get(device.deviceId);
        if (!signed) continue;
        const otp = this.#sql.takeOneTimePrekey.get(device.deviceId, device.deviceId);
        bundles.push(otp ? { d: device.deviceId, s: signed.prekey, o: { i: otp.key_id, k: otp.key } } : { d: device.deviceId, s: signed.prekey });
      }
      return bundles;
    })();
  }

  /** False when the account already holds the maximum number of attestations. */
  putAttestation(accountId: AccountId, name: string, blob: Uint8Array): boolean {
    return this.db.transaction(() => {
      const exists = (this.#sql.hasAttestation.get(accountId, name) ?? 0) > 0;
      if (!exists && (this.#sql.countAttestations.get(accountId) ?? 0) >= RELAY_MAX_ATTESTATIONS_PER_ACCOUNT) return false;
      this.#sql.putAttestation.run(accountId, name, blob);
      return true;
    })();
  }

  attestations(accountId: AccountId): { n: string; b: Uint8Array }[] {
    return this.#sql.attestations.all(accountId).map((row) => ({ n: row.name, b: row.blob }));
  }

  *attestationsNamed(name: string): Iterable<{ accountId: AccountId; blob: Uint8Array }> {
    for (const row of this.#sql.named.all(name)) yield { accountId: row.account_id as AccountId, blob: row.blob };
  }

  putWipe(deviceId: DeviceId, accountId: AccountId, command: Uint8Array, now: number): void {
    this.#sql.putWipe.run(deviceId, accountId, command, now);
  }

  wipeFor(deviceId: DeviceId): Uint8Array | undefined {
    return this.#sql.wipe.get(deviceId);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Every write is committed before the call that made it returns. */
  written(): undefined {
    return undefined;
  }
}

/**
 * `new Directory(db)` builds the embedded store; as a type, `Directory` is the store interface
 * every module programs against, so a Redis-backed directory fits the same places.
 */
export const Directory = SqliteDirectory;
export type Directory = DirectoryStore;
