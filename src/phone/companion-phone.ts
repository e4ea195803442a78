/**
 * The headless companion phone: holds an account, talks to the relay like the mobile app would,
 * links desktops by QR pairing, sends and receives end-to-end encrypted messages, revokes desktops.
 *
 * Public API
 *   const phone = await CompanionPhone.create({ relayUrl, profile, dataDir? })   new account, registered at the relay
 *   const phone = await CompanionPhone.open({ relayUrl?, dataDir })                 existing account from dataDir
 *   phone.accountId, phone.deviceId, phone.linkedDesktops, phone.messages
 *   await phone.pairDesktop(url, { approve: (req) => boolean })  → PhonePairingResult
 *   await phone.sendText(to, body) → MessageId;  await phone.sendReceipt(to, 'delivered' | 'read', ids)
 *   await phone.waitForMessage((m) => ..., timeoutMs) → ReceivedMessage
 *   phone.onMessage((m) => ...) → unsubscribe
 *   await phone.revokeDesktop(deviceId)        signed wipe command + device list without it
 *   phone.backupCode, phone.keepMessage(id), await phone.backUp() / backUpIfDue(), await phone.rotateBackupCode()
 *   phone.deviceNotices, phone.onDeviceNotice(cb), await phone.waitForDeviceNotice(accountId, ms)   "<name> is using a new phone"
 *   phone.startAutoBackup(), phone.lastBackupAt   daily and on change, retried with backoff (src/phone/backup-schedule.ts)
 *   phone.groups: create / add / remove / setRole / leave / rename / sendText / search / requestJoin / approveJoinRequest (phone-groups.ts)
 *   const phone = await CompanionPhone.restore({ relayUrl, accountId, code, dataDir? })   new phone, same account (backup)
 *   await phone.close()
 */
import WebSocket from 'ws';
import type { KdfParams } from '../shared/backup/backup-kdf';
import type { RecoveryCode } from '../shared/backup/recovery-code';
import { systemClock, type Clock } from '../shared/clock';
import { isWardlineError } from '../shared/errors';
import { decodeAnyContent, type AttachmentContent, type MessageContent, type ReceiptKind } from '../shared/messages/content';
import { newMessageId, type MessageId } from '../shared/messages/message-id';
import type { Profile } from '../shared/messages/profile';
import { verifyDeviceList, type DeviceList } from '../shared/protocol/device-list';
import type { AccountId, DeviceId, EnvelopeId } from '../shared/protocol/ids';
import type { AccountIdentity } from '../shared/protocol/identity';
import { openRendezvousChannel, parsePairingUrl, runPhonePairing, type PairingRequest, type PhonePairingResult } from '../shared/protocol/pairing';
import { SessionCipher } from '../shared/protocol/session-cipher';
import { RelayClient, type WebSocketFactory } from '../shared/wire/relay-client';
import { relayAuthSigner } from '../shared/wire/relay-auth';
import { runtimeTimers, type Timers } from '../shared/wire/timers';
import { signWipeCommand } from '../shared/wire/wipe-command';
import { AccountDirectory } from './account-directory';
import { BackupSchedule } from './backup-schedule';
import { encodeGroupState } from '../shared/groups/group-state';
import { savePhoneGroups } from './phone-groups-store';
import { DeviceNotices, type DeviceNotice } from './device-notice';
import { fetchAttachment, prepareAttachment, type PhoneFile } from './attachment-sending';
import { MessageInbox, type ReceivedMessage } from './message-inbox';
import { accountOf, createPhoneState, deviceKeysOf, publishReachability, signOwnDeviceList, topUpOneTimePrekeys } from './phone-account';
import { PhoneError } from './phone-error';
import { PhoneGroups } from './phone-groups';
import { newBackupState, PhoneBackup, type BackupUpload } from './phone-backup';
import { restoreAccount } from './restore-account';
import type { BackupState } from './backup-state';
import { decryptEnvelope, sendContent, type MessagingContext } from './phone-messaging';
import { pairingAccountFor } from './phone-pairing';
import { PhoneSessionStore } from './phone-session-store';
import { loadPhoneState, phoneStateExists, PHONE_HISTORY_MAX, savePhoneState, type LinkedDesktopRecord, type PhoneState } from './phone-state';

/** Structured events with ids and codes only: never content, names or keys. */
export type PhoneLog = (event: string, fields?: Record<string, string | number | boolean>) => void;

export interface CompanionPhoneOptions {
  readonly relayUrl?: string;
  /** Where the state file lives; without it the phone lives in memory only. */
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly connect?: WebSocketFactory;
  readonly log?: PhoneLog;
  /**
   * Take delivered envelopes (default true). With false they are left unacknowledged at the relay
   * for a later run, so a one-shot CLI command does not swallow messages nobody will print.
   */
  readonly receive?: boolean;
  /** Answer every received text with a delivery receipt (default true). */
  readonly autoDeliveryReceipts?: boolean;
  /** Backup KDF parameters; only tests pass cheaper ones (default: BACKUP_KDF_PARAMS, docs/protocol.md §16). */
  readonly backupKdf?: KdfParams;
  /** Timers of the automatic backup (startAutoBackup); tests pass fake ones with a FakeClock. */
  readonly timers?: Timers;
}

/** Below this many unused one-time prekeys the phone asks the relay how many it still holds. */
const ONE_TIME_PREKEY_LOW_WATER = 10;

const defaultConnect: WebSocketFactory = (url) => new WebSocket(url, { perMessageDeflate: false });

export class CompanionPhone {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly #state: PhoneState;
  readonly #options: CompanionPhoneOptions;
  readonly #clock: Clock;
  readonly #account: AccountIdentity;
  readonly #store: PhoneSessionStore;
  readonly #cipher: SessionCipher;
  readonly #directory: AccountDirectory;
  readonly #inbox = new MessageInbox();
  readonly #log: PhoneLog;
  readonly #backup: PhoneBackup;
  readonly #autoBackup: BackupSchedule;
  readonly #notices: DeviceNotices;
  readonly #groups: PhoneGroups;
  #client: RelayClient | null = null;
  #ownList: DeviceList;
  #incoming: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(state: PhoneState, options: CompanionPhoneOptions, backupState?: BackupState) {
    this.#state = state;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? (() => undefined);
    this.#account = accountOf(state);
    this.accountId = this.#account.accountId;
    this.deviceId = state.device.deviceId;
    this.#store = new PhoneSessionStore(state.sessions, this.#clock);
    this.#store.onChange = () => (this.#state.sessions = this.#store.snapshot());
    this.#cipher = new SessionCipher({ accountId: this.accountId, device: deviceKeysOf(state), certificate: state.device.certificate, store: this.#store, clock: this.#clock });
    this.#notices = new DeviceNotices(this.#clock);
    this.#directory = new AccountDirectory(state.knownAccounts, () => undefined, (before, after) => {
      this.#notices.listReplaced(before, after);
    });
    this.#ownList = verifyDeviceList(signOwnDeviceList(state, this.#account, this.#clock));
    this.#groups = new PhoneGroups({
      actor: { accountId: this.accountId, device: deviceKeysOf(state), certificate: state.device.certificate, identityKey: this.#account.identity.publicKey },
      clock: this.#clock,
      log: this.#log,
      messaging: () => this.#messaging(this.#requireClient()),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    this.#backup = PhoneBackup.openOrCreate(options.dataDir, this.#clock, options.backupKdf, backupState);
    // Group memberships go into the backup; a group change is a change worth backing up.
    this.#backup.groupSource = () => this.#groups.all.map(encodeGroupState);
    this.#groups.onEvent((e) => {
      if (e.type === 'changed') this.#autoBackup.changed();
    });
    this.#autoBackup = new BackupSchedule({ run: () => this.backUpIfDue(), timers: options.timers ?? runtimeTimers, clock: this.#clock, log: this.#log });
  }

  static async create(options: CompanionPhoneOptions & { readonly relayUrl: string; readonly profile: Profile }): Promise<CompanionPhone> {
    if (options.dataDir && phoneStateExists(options.dataDir)) throw new PhoneError('ACCOUNT_EXISTS', 'the data directory already holds a phone');
    // A fresh code even if an aborted earlier `create` left a backup state behind.
    const phone = new CompanionPhone(createPhoneState(options.relayUrl, options.profile, options.clock ?? systemClock), options, newBackupState());
    const client = await phone.#connect();
    await client.publishDeviceList(phone.#ownList.encoded);
    await phone.#authenticate(client);
    await publishReachability(client, phone.#state, phone.#store, phone.#clock);
    phone.#save();
    phone.#log('account-created', { account: phone.accountId, device: phone.deviceId });
    return phone;
  }

  /**
   * A new phone for an existing account, from the relay's backup and the Backup & Restore code
   * (src/phone/restore-account.ts): same identity, profile, contacts and kept messages; the old
   * phone and every linked desktop leave the device list and are sent wipe commands.
   */
  static async restore(
    options: CompanionPhoneOptions & { readonly relayUrl: string; readonly accountId: AccountId; readonly code: RecoveryCode; readonly minimumKdf?: KdfParams },
  ): Promise<CompanionPhone & { readonly backupCreatedAt: number }> {
    if (options.dataDir && phoneStateExists(options.dataDir)) throw new PhoneError('ACCOUNT_EXISTS', 'the data directory already holds a phone');
    const clock = options.clock ?? systemClock;
    const probe = await RelayClient.connect({ url: options.relayUrl, connect: options.connect ?? defaultConnect });
    let restored;
    try {
      restored = await restoreAccount(probe, { relayUrl: options.relayUrl, accountId: options.accountId, code: options.code, clock, ...(options.minimumKdf ? { minimumKdf: options.minimumKdf } : {}) });
    } finally {
      probe.close();
    }
    // The restored groups are in place before the phone opens them (phone-groups-store.ts).
    if (options.dataDir) savePhoneGroups(options.dataDir, { groups: new Map(restored.groups.map((g) => [g.groupId, g])), joinRequests: [] });
    const phone = new CompanionPhone(restored.state, options, restored.backup);
    const client = await phone.#connect();
    await client.publishDeviceList(phone.#ownList.encoded, restored.wipes);
    await phone.#authenticate(client);
    await publishReachability(client, phone.#state, phone.#store, phone.#clock);
    phone.#save();
    phone.#log('account-restored', { account: phone.accountId, device: phone.deviceId, backupCreatedAt: restored.backupCreatedAt, groups: restored.groups.length, groupsRefused: restored.groupsRefused });
    if (!options.dataDir && restored.groups.length) phone.#log('groups-not-restored', { count: restored.groups.length });
    await phone.#announceNewPhone();
    return Object.assign(phone, { backupCreatedAt: restored.backupCreatedAt });
  }

  static async open(options: CompanionPhoneOptions & { readonly dataDir: string }): Promise<CompanionPhone> {
    if (!phoneStateExists(options.dataDir)) throw new PhoneError('NO_ACCOUNT', 'no phone in the data directory');
    const state = loadPhoneState(options.dataDir);
    if (options.relayUrl) state.relayUrl = options.relayUrl;
    const phone = new CompanionPhone(state, options);
    const client = await phone.#connect();
    await phone.#authenticate(client);
    await topUpOneTimePrekeys(client, state, phone.#store);
    phone.#save();
    return phone;
  }

  get profile(): Profile {
    return this.#state.profile;
  }
  get messages(): readonly ReceivedMessage[] {
    return this.#inbox.messages;
  }
  get linkedDesktops(): readonly LinkedDesktopRecord[] {
    return this.#state.desktops;
  }
  get ownDeviceList(): DeviceList {
    return this.#ownList;
  }

  /** "<name> is using a new phone" notices about contacts, oldest first. */
  get deviceNotices(): readonly DeviceNotice[] {
    return this.#notices.all;
  }

  onDeviceNotice(listener: (n: DeviceNotice) => void): () => void {
    return this.#notices.onNotice(listener);
  }

  waitForDeviceNotice(accountId: AccountId, timeoutMs: number): Promise<DeviceNotice> {
    return this.#notices.waitFor(accountId, timeoutMs);
  }

  /** Groups and broadcast lists (src/phone/phone-groups.ts). */
  get groups(): PhoneGroups {
    return this.#groups;
  }

  onMessage(listener: (m: ReceivedMessage) => void): () => void {
    return this.#inbox.onMessage(listener);
  }

  waitForMessage(predicate: (m: ReceivedMessage) => boolean, timeoutMs: number): Promise<ReceivedMessage> {
    return this.#inbox.waitFor(predicate, timeoutMs);
  }

  async pairDesktop(url: string, options: { readonly approve: (request: PairingRequest) => boolean | Promise<boolean> }): Promise<PhonePairingResult> {
    const client = this.#requireClient();
    const offer = parsePairingUrl(url, this.#clock);
    const sameRelay = offer.relayUrl === this.#state.relayUrl;
    const rvClient = sameRelay ? client : await RelayClient.connect({ url: offer.relayUrl, connect: this.#options.connect ?? defaultConnect });
    try {
      const channel = await openRendezvousChannel(rvClient, offer.channelId);
      const account = {
        ...pairingAccountFor({
          state: this.#state,
          account: this.#account,
          clock: this.#clock,
          publishOwnList: (list, wipes) => this.#publishOwnList(list, wipes),
          save: () => this.#save(),
          groups: () => this.#groups.all,
        }),
        // Shown on the desktop's Security key screen; the desktop keeps it in memory only.
        backupCode: this.#backup.code,
      };
      const result = await runPhonePairing(channel, offer, account, { approve: options.approve, clock: this.#clock });
      this.#log('desktop-linked', { device: result.desktop.deviceId, reused: result.databaseKeyReused });
      return result;
    } finally {
      if (!sameRelay) rvClient.close();
    }
  }

  async sendText(to: AccountId, body: string): Promise<MessageId> {
    const id = newMessageId();
    const sentAt = this.#clock.now();
    await this.#send(to, { kind: 'text', id, to, body, sentAt });
    this.#remember({ id, conversation: to, from: this.accountId, body, sentAt });
    return id;
  }

  /** Sends a file as an encrypted attachment (images lose their metadata first); resolves with the message id. */
  async sendAttachment(to: AccountId, file: PhoneFile): Promise<MessageId> {
    const content = await prepareAttachment(this.#requireClient(), to, file, this.#clock.now());
    await this.#send(to, content);
    return content.id;
  }

  /** The decrypted, checked bytes of a received attachment. */
  fetchAttachment(content: AttachmentContent): Promise<Uint8Array> {
    return fetchAttachment(this.#requireClient(), content);
  }

  async sendReceipt(to: AccountId, receipt: ReceiptKind, ids: readonly MessageId[]): Promise<void> {
    await this.#send(to, { kind: 'receipt', to, receipt, ids });
  }

  /** Removes the desktop from the device list and orders it, signed by the account identity, to wipe itself. */
  async revokeDesktop(deviceId: DeviceId): Promise<void> {
    const desktop = this.#state.desktops.find((d) => d.deviceId === deviceId);
    if (!desktop) throw new PhoneError('UNKNOWN_DESKTOP', 'this phone has not linked that desktop');
    const before = { version: this.#state.deviceListVersion, cert: this.#state.otherDevices[deviceId] };
    Reflect.deleteProperty(this.#state.otherDevices, deviceId);
    this.#state.deviceListVersion++;
    try {
      await this.#publishOwnList(signOwnDeviceList(this.#state, this.#account, this.#clock), [signWipeCommand(this.#account, deviceId, this.#clock.now())]);
    } catch (error) {
      this.#state.deviceListVersion = before.version;
      if (before.cert) this.#state.otherDevices[deviceId] = before.cert;
      throw error;
    }
    this.#state.desktops = this.#state.desktops.filter((d) => d.deviceId !== deviceId);
    // The desktop wipes its database, so the key that opened it is of no further use.
    Reflect.deleteProperty(this.#state.databaseKeys, desktop.workstationId);
    this.#save();
    this.#log('desktop-revoked', { device: deviceId });
  }

  /** The Backup & Restore code (the "security key"), in canonical form; format it for people with formatRecoveryCode. */
  get backupCode(): RecoveryCode {
    return this.#backup.code;
  }

  /** Text messages this phone sent or received (bounded: PHONE_HISTORY_MAX), oldest first. */
  get history(): readonly PhoneState['history'][number][] {
    return this.#state.history;
  }

  get keptMessageIds(): readonly MessageId[] {
    return this.#backup.kept;
  }

  /** Marks a message as kept: it outlives the 30-day rule and goes into the backup. */
  keepMessage(id: MessageId): void {
    this.#backup.keep(id);
    this.#autoBackup.changed();
  }

  /**
   * Backs up by itself from now on: at once if due, when kept messages or contacts change
   * (debounced), at least every BACKUP_INTERVAL_MS, failures retried with backoff. The library does
   * not start it by itself (tests stay fast); the CLI's `listen` does.
   */
  startAutoBackup(): void {
    this.#requireClient();
    this.#autoBackup.start();
  }

  /** When the relay last confirmed a backup from this phone (null: never). */
  get lastBackupAt(): number | null {
    return this.#backup.lastUploadAt;
  }

  /** Uploads a backup now (replacing the relay's). */
  async backUp(): Promise<BackupUpload> {
    return this.#backup.upload(this.#requireClient(), this.#state);
  }

  /** Uploads when the content changed or BACKUP_INTERVAL_MS passed; null when nothing was due. */
  async backUpIfDue(): Promise<BackupUpload | null> {
    return this.#backup.uploadIfDue(this.#requireClient(), this.#state);
  }

  /** A new code, and a backup under it replacing the old one at once: the old code then opens nothing. */
  async rotateBackupCode(): Promise<RecoveryCode> {
    const code = this.#backup.rotateCode();
    await this.backUp();
    return code;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#autoBackup.stop();
    await this.#autoBackup.idle();
    await this.#incoming;
    this.#client?.close();
    this.#client = null;
    this.#save();
  }

  async #connect(): Promise<RelayClient> {
    const client = await RelayClient.connect({ url: this.#state.relayUrl, connect: this.#options.connect ?? defaultConnect });
    client.on('envelope', (e) => {
      if (this.#options.receive === false) return;
      this.#incoming = this.#incoming.then(() => this.#receive(client, e.id, e.envelope));
    });
    client.on('wipe', () => this.#log('wipe-ignored'));
    client.on('close', (e) => {
      if (!this.#closed) this.#log('relay-closed', { code: e.code });
    });
    this.#client = client;
    return client;
  }

  async #authenticate(client: RelayClient): Promise<void> {
    await client.authenticate(this.accountId, this.deviceId, relayAuthSigner(deviceKeysOf(this.#state).signing.secretKey));
  }

  #requireClient(): RelayClient {
    if (this.#closed || !this.#client) throw new PhoneError('CLOSED', 'the phone is closed');
    return this.#client;
  }

  async #publishOwnList(list: Uint8Array, wipes: readonly Uint8Array[] = []): Promise<void> {
    await this.#requireClient().publishDeviceList(list, wipes);
    this.#ownList = verifyDeviceList(list);
  }

  async #send(to: AccountId, content: MessageContent): Promise<void> {
    const result = await sendContent(this.#messaging(this.#requireClient()), to, content).finally(() => this.#save());
    if (result.needBundle.length) this.#log('devices-unreachable', { count: result.needBundle.length });
  }

  #messaging(client: RelayClient): MessagingContext {
    return { client, cipher: this.#cipher, directory: this.#directory, ownList: this.#ownList };
  }

  async #receive(client: RelayClient, envelopeId: EnvelopeId, envelope: Uint8Array): Promise<void> {
    try {
      const m = await decryptEnvelope(this.#messaging(client), envelope);
      // Group content is the groups' business; what is left (1:1 and accepted group messages) goes on below.
      const content = this.#groups.receive(decodeAnyContent(m.plaintext), m.senderAccountId);
      if (!content) return;
      const ownCopy = m.senderAccountId === this.accountId;
      if (content.kind === 'text') {
        this.#remember({ id: content.id, conversation: ownCopy ? content.to : m.senderAccountId, from: m.senderAccountId, body: content.body, sentAt: content.sentAt });
      } else if (content.kind === 'profile' && !ownCopy) {
        this.#state.contacts[m.senderAccountId] = content.profile;
      }
      this.#save();
      this.#autoBackup.changed();
      this.#inbox.add({ envelopeId, from: m.senderAccountId, fromDevice: m.senderDeviceId, content, ownCopy, receivedAt: this.#clock.now() });
      if (content.kind === 'text' && !ownCopy && this.#options.autoDeliveryReceipts !== false) {
        this.sendReceipt(m.senderAccountId, 'delivered', [content.id]).catch((e: unknown) => this.#log('receipt-failed', { code: codeOf(e) }));
      }
    } catch (error) {
      this.#log('envelope-refused', { envelope: envelopeId, code: codeOf(error) });
    } finally {
      if (client.isOpen) client.ack(envelopeId);
    }
    if (this.#store.oneTimePrekeyCount < ONE_TIME_PREKEY_LOW_WATER) {
      await topUpOneTimePrekeys(client, this.#state, this.#store).catch((e: unknown) => this.#log('prekey-top-up-failed', { code: codeOf(e) }));
    }
  }

  /**
   * After a restore, tells every account this one knows (with its profile, over new sessions from
   * this new device), so their devices fetch the new device list and show "is using a new phone"
   * now rather than at their next message. Best effort: an unreachable contact learns it later.
   */
  async #announceNewPhone(): Promise<void> {
    for (const accountId of Object.keys(this.#state.knownAccounts) as AccountId[]) {
      if (accountId === this.accountId) continue;
      await this.#send(accountId, { kind: 'profile', profile: this.#state.profile }).catch((e: unknown) =>
        this.#log('new-phone-announce-failed', { account: accountId, code: codeOf(e) }),
      );
    }
  }

  #remember(entry: PhoneState['history'][number]): void {
    this.#state.history.push(entry);
    if (this.#state.history.length > PHONE_HISTORY_MAX) this.#state.history.splice(0, this.#state.history.length - PHONE_HISTORY_MAX);
  }

  #save(): void {
    if (this.#options.dataDir) savePhoneState(this.#options.dataDir, this.#state);
  }
}

function codeOf(error: unknown): string {
  return isWardlineError(error) ? error.code : 'INTERNAL';
}
