/**
 * The directory in Redis, shared by every relay node. Each node keeps the devices, accounts,
 * attestations and wipe commands in memory (loaded at start, as the embedded store does) so that
 * sends and auth never wait for Redis; writes change that memory at once, go to Redis in order
 * as atomic scripts, and are broadcast so the other nodes reload the entries concerned. Prekeys
 * live only in Redis: a one-time prekey is taken by a script, once across all nodes.
 *
 * Keys (all under `wl:`): dev (device id → CBOR record), devst (device id → state), acct
 * (account id → CBOR record), acctv (account id → version), att (`account/name` → blob), attn:A
 * (names held by account A), wipe (device id → wipe command), spk (device id → signed prekey),
 * otp:D (key id → one-time prekey of device D).
 */
import type { Redis } from 'ioredis';
import { RELAY_MAX_ATTESTATIONS_PER_ACCOUNT } from '../../src/shared/limits';
import type { AccountId, DeviceId } from '../../src/shared/protocol/ids';
import { RelayError } from '../../src/shared/wire/relay-error';
import type { Logger } from '../logging';
import type { AccountRecord, DeviceRecord, DirectoryStore, OneTimePrekey, PrekeyBundle } from '../stores/directory-store';
import { encodeClusterMessage, type DirectoryMessage } from './cluster-messages';
import { decodeAccountEntry, decodeDeviceEntry, encodeAccountEntry, encodeDeviceEntry, ID } from './directory-entries';
import { PUBLISH_LIST, PUT_ATTESTATION, RETIRE } from './redis-directory-scripts';
import type { RedisLink } from './redis-link';
import { prekeyKeys, RedisPrekeys } from './redis-prekeys';

const K = {
  dev: 'wl:dev',
  devst: 'wl:devst',
  acct: 'wl:acct',
  acctv: 'wl:acctv',
  att: 'wl:att',
  attn: (a: AccountId) => `wl:attn:${a}`,
  wipe: 'wl:wipe',
  spk: 'wl:spk',
  otp: prekeyKeys.oneTime,
} as const;

const MAX_LOOKUPS = 64;
/** Values carried in broadcasts (the schema's byte type). */
type Bytes = Uint8Array<ArrayBuffer>;

interface Batch {
  account?: AccountRecord;
  readonly devices: DeviceRecord[];
  readonly wipes: [DeviceId, Uint8Array][];
}

export interface RedisDirectoryEvents {
  /** Another node retired a device this node may hold a connection of. */
  onRetired?: (deviceId: DeviceId, state: 'revoked' | 'expired') => void;
  /** An attestation changed (the verification index must be reloaded). */
  onAttestation?: () => void;
}

export class RedisDirectory implements DirectoryStore {
  readonly #devices = new Map<DeviceId, DeviceRecord>();
  readonly #byAccount = new Map<AccountId, DeviceRecord[]>();
  /** Active desktops only: what the session sweep looks at, however many records history holds. */
  readonly #activeDesktops = new Set<DeviceRecord>();
  onDesktopAdded: ((record: DeviceRecord) => void) | undefined;
  readonly #accounts = new Map<AccountId, AccountRecord>();
  /** `account/name` → blob. */
  readonly #attestations = new Map<string, Uint8Array>();
  readonly #wipes = new Map<DeviceId, Uint8Array>();
  readonly #writes = new Set<Promise<unknown>>();
  #batch: Batch | undefined;
  #applying: Promise<void> = Promise.resolve();
  /** Broadcasts waiting in #applying for their values to be read from Redis. */
  #reloading = 0;
  /** Unknown device ids being looked up in Redis (bounded: unknown ids are cheap to send). */
  readonly #lookups = new Set<DeviceId>();
  readonly events: RedisDirectoryEvents = {};
  readonly #redis: Redis;
  readonly #prekeys: RedisPrekeys;

  private constructor(
    private readonly link: RedisLink,
    private readonly log: Logger,
  ) {
    this.#redis = link.commands;
    this.#prekeys = new RedisPrekeys(link.commands);
  }

  /** Loads the whole directory into memory (as the embedded store does at start). */
  static async open(link: RedisLink, log: Logger): Promise<RedisDirectory> {
    const directory = new RedisDirectory(link, log);
    const r = link.commands;
    const [devices, states, accounts, attestations, wipes] = await Promise.all([
      r.hgetallBuffer(K.dev),
      r.hgetall(K.devst),
      r.hgetallBuffer(K.acct),
      r.hgetallBuffer(K.att),
      r.hgetallBuffer(K.wipe),
    ]);
    for (const [id, blob] of Object.entries(devices)) directory.#applyDevice(id, blob, states[id]);
    for (const [id, blob] of Object.entries(accounts)) directory.#applyAccount(id, blob);
    for (const [field, blob] of Object.entries(attestations)) directory.#attestations.set(field, blob);
    for (const [id, blob] of Object.entries(wipes)) if (ID.test(id)) directory.#wipes.set(id as DeviceId, blob);
    return directory;
  }

  // ---- reads (memory) ----

  device(deviceId: DeviceId): DeviceRecord | undefined {
    const record = this.#devices.get(deviceId);
    // Normally another node's broadcast arrives long before its devices connect here; if one
    // did not (a lost message, a reconnecting subscriber), the next attempt finds the device.
    if (!record && !this.#lookups.has(deviceId) && this.#lookups.size < MAX_LOOKUPS) {
      this.#lookups.add(deviceId);
      void this.#apply({ k: 'dir', o: '', d: [deviceId] })
        .catch((error: unknown) => this.log.warn({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'device lookup failed'))
        .finally(() => this.#lookups.delete(deviceId));
    }
    return record;
  }

  devicesOf(accountId: AccountId): readonly DeviceRecord[] {
    return this.#byAccount.get(accountId) ?? [];
  }

  desktops(): Iterable<DeviceRecord> {
    return this.#activeDesktops.values();
  }

  account(accountId: AccountId): AccountRecord | undefined {
    return this.#accounts.get(accountId);
  }

  attestations(accountId: AccountId): { n: string; b: Uint8Array }[] {
    const prefix = `${accountId}/`;
    const out: { n: string; b: Uint8Array }[] = [];
    for (const [field, blob] of this.#attestations) if (field.startsWith(prefix)) out.push({ n: field.slice(prefix.length), b: blob });
    return out.sort((x, y) => (x.n < y.n ? -1 : x.n > y.n ? 1 : 0));
  }

  *attestationsNamed(name: string): Iterable<{ accountId: AccountId; blob: Uint8Array }> {
    for (const [field, blob] of this.#attestations) {
      const slash = field.indexOf('/');
      if (field.slice(slash + 1) === name) yield { accountId: field.slice(0, slash) as AccountId, blob };
    }
  }

  wipeFor(deviceId: DeviceId): Uint8Array | undefined {
    return this.#wipes.get(deviceId);
  }

  // ---- writes (memory at once, Redis in order) ----

  transaction<T>(fn: () => T): T {
    if (this.#batch) return fn();
    const batch: Batch = { devices: [], wipes: [] };
    this.#batch = batch;
    try {
      return fn();
    } finally {
      this.#batch = undefined;
      this.#commit(batch);
    }
  }

  saveAccount(account: AccountRecord): void {
    this.#accounts.set(account.accountId, account);
    this.transaction(() => (this.#batch!.account = account));
  }

  addDevice(record: DeviceRecord): void {
    this.#remember(record);
    this.transaction(() => this.#batch!.devices.push(record));
  }

  putWipe(deviceId: DeviceId, _accountId: AccountId, command: Uint8Array): void {
    this.#wipes.set(deviceId, command);
    this.transaction(() => this.#batch!.wipes.push([deviceId, command]));
  }

  retire(deviceId: DeviceId, state: 'revoked' | 'expired'): void {
    const record = this.#devices.get(deviceId);
    if (!record || record.state !== 'active') return;
    record.state = state;
    this.#activeDesktops.delete(record);
    const message = this.#message({ d: [deviceId], de: [[encodeDeviceEntry(record) as Bytes, state]] });
    this.#track(RETIRE.run(this.#redis, [K.devst, K.spk, K.otp(deviceId)], [deviceId, state, message]));
  }

  putAttestation(accountId: AccountId, name: string, blob: Uint8Array): boolean {
    const field = `${accountId}/${name}`;
    if (!this.#attestations.has(field) && this.attestations(accountId).length >= RELAY_MAX_ATTESTATIONS_PER_ACCOUNT) return false;
    this.#attestations.set(field, blob);
    const write = PUT_ATTESTATION.run(this.#redis, [K.att, K.attn(accountId)], [
      field,
      name,
      blob,
      RELAY_MAX_ATTESTATIONS_PER_ACCOUNT,
      this.#message({ t: [field], te: [blob as Bytes] }),
    ]).then((stored) => {
      if (stored !== 1) {
        this.#attestations.delete(field);
        throw new RelayError('TOO_LARGE');
      }
    });
    this.#track(write);
    return true;
  }

  written(): Promise<void> | undefined {
    if (!this.#writes.size) return undefined;
    return Promise.all([...this.#writes]).then(() => undefined);
  }

  // ---- prekeys (Redis only) ----

  putSignedPrekey(deviceId: DeviceId, prekey: Uint8Array): Promise<void> {
    return this.#prekeys.putSigned(deviceId, prekey);
  }

  putOneTimePrekeys(deviceId: DeviceId, keys: readonly OneTimePrekey[]): Promise<number> {
    return this.#prekeys.putOneTime(deviceId, keys);
  }

  countOneTimePrekeys(deviceId: DeviceId): Promise<number> {
    return this.#prekeys.countOneTime(deviceId);
  }

  takeBundles(accountId: AccountId, isLive: (d: DeviceRecord) => boolean): Promise<PrekeyBundle[]> {
    return this.#prekeys.takeBundles(this.devicesOf(accountId).filter(isLive).map((d) => d.deviceId));
  }

  // ---- other nodes' changes ----

  /**
   * A directory broadcast: reload what another node changed (this node's own are applied
   * already). Applied one after the other, in the order they were published.
   */
  receive(message: DirectoryMessage): void {
    if (message.o === this.link.nodeId) return;
    if (this.#applyCarried(message)) return;
    this.#reloading++;
    this.#applying = this.#applying
      .then(() => this.#apply(message))
      .catch((error: unknown) => this.log.error({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'directory reload failed'))
      .finally(() => this.#reloading--);
  }

  /** Applies a change from the values it carries; false when some are missing (then reload). */
  #applyCarried(m: DirectoryMessage): boolean {
    const complete =
      (!m.a || m.ae) && (m.d?.length ?? 0) === (m.de?.length ?? 0) && (m.t?.length ?? 0) === (m.te?.length ?? 0) && (m.w?.length ?? 0) === (m.we?.length ?? 0);
    // Reloads already queued come first: changes are applied in the order they were published.
    if (!complete || this.#reloading) return false;
    if (m.a && m.ae) this.#applyAccount(m.a, m.ae);
    m.d?.forEach((id, i) => this.#applyDevice(id, m.de![i]![0], m.de![i]![1]));
    m.w?.forEach((id, i) => this.#wipes.set(id, m.we![i]!));
    m.t?.forEach((field, i) => this.#attestations.set(field, m.te![i]!));
    if (m.t?.length) this.events.onAttestation?.();
    return true;
  }

  async #apply(message: DirectoryMessage): Promise<void> {
    const r = this.#redis;
    if (message.a) {
      const blob = await r.hgetBuffer(K.acct, message.a);
      if (blob) this.#applyAccount(message.a, blob);
    }
    for (const d of message.d ?? []) {
      const [blob, state] = await Promise.all([r.hgetBuffer(K.dev, d), r.hget(K.devst, d)]);
      if (blob) this.#applyDevice(d, blob, state ?? undefined);
    }
    for (const d of message.w ?? []) {
      const blob = await r.hgetBuffer(K.wipe, d);
      if (blob) this.#wipes.set(d, blob);
    }
    if (message.t?.length) {
      for (const field of message.t) {
        const blob = await r.hgetBuffer(K.att, field);
        if (blob) this.#attestations.set(field, blob);
      }
      this.events.onAttestation?.();
    }
  }

  #commit(batch: Batch): void {
    const account = batch.account;
    if (!account) {
      // Only publishing changes devices and wipes, and it always saves the account too.
      if (batch.devices.length || batch.wipes.length) this.log.error({ code: 'INTERNAL' }, 'directory batch without an account');
      return;
    }
    const args: (string | number | Uint8Array)[] = [
      account.accountId,
      account.version,
      encodeAccountEntry(account),
      this.#message({
        a: account.accountId,
        ae: encodeAccountEntry(account) as Bytes,
        d: batch.devices.map((d) => d.deviceId),
        de: batch.devices.map((d) => [encodeDeviceEntry(d) as Bytes, 'active'] as const),
        w: batch.wipes.map(([d]) => d),
        we: batch.wipes.map(([, command]) => command as Bytes),
      }),
      batch.devices.length,
    ];
    for (const d of batch.devices) args.push(d.deviceId, encodeDeviceEntry(d));
    for (const [d, command] of batch.wipes) args.push(d, command);
    const write = PUBLISH_LIST.run(this.#redis, [K.acct, K.acctv, K.dev, K.devst, K.wipe], args).then(async (stored) => {
      // Either way Redis holds the truth now (another node may have won): take it.
      if (stored !== 1) this.#accounts.delete(account.accountId);
      await this.#apply({ k: 'dir', o: '', a: account.accountId, d: batch.devices.map((d) => d.deviceId) });
      if (stored !== 1) throw new RelayError('STALE_DEVICE_LIST');
    });
    this.#track(write);
  }

  #track(write: Promise<unknown>): void {
    this.#writes.add(write);
    write.then(
      () => this.#writes.delete(write),
      (error: unknown) => {
        this.#writes.delete(write);
        if (!(error instanceof RelayError)) this.log.error({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'directory write failed');
      },
    );
  }

  #message(fields: Omit<DirectoryMessage, 'k' | 'o'>): Uint8Array {
    return encodeClusterMessage({ k: 'dir', o: this.link.nodeId, ...fields });
  }

  #applyAccount(id: string, blob: Uint8Array): void {
    const account = decodeAccountEntry(id, blob);
    if (!account) return this.log.error({ code: 'STORE_CORRUPT', account: ID.test(id) ? id : undefined }, 'unreadable account entry skipped');
    const held = this.#accounts.get(account.accountId);
    if (!held || held.version <= account.version) this.#accounts.set(account.accountId, account);
  }

  #applyDevice(id: string, blob: Uint8Array, stateText: string | undefined): void {
    const record = decodeDeviceEntry(id, blob, stateText);
    if (!record) return this.log.error({ code: 'STORE_CORRUPT', device: ID.test(id) ? id : undefined }, 'unreadable device entry skipped');
    const held = this.#devices.get(record.deviceId);
    if (!held) return this.#remember(record);
    // Records are shared with live connections: update in place, and only ever away from active.
    if (held.state === 'active' && record.state !== 'active') {
      held.state = record.state;
      this.#activeDesktops.delete(held);
      this.events.onRetired?.(held.deviceId, record.state);
    }
  }

  #remember(record: DeviceRecord): void {
    if (this.#devices.has(record.deviceId)) return;
    this.#devices.set(record.deviceId, record);
    const mine = this.#byAccount.get(record.accountId);
    if (mine) mine.push(record);
    else this.#byAccount.set(record.accountId, [record]);
    if (record.kind === 'desktop' && record.state === 'active') {
      this.#activeDesktops.add(record);
      this.onDesktopAdded?.(record);
    }
  }
}
