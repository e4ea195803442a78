/**
 * Everything that exists only while an account is paired on this workstation: the open
 * encrypted store, the device keys, the ratchet sessions, the relay link, the PIN lock, the
 * expiry sweeper and the 6-hour timer. `close()` tears it all down and purges the keys; with
 * `wipe` it also deletes the account's database and attachments.
 */
import { ONE_TIME_PREKEY_BATCH } from '../../../shared/limits';
import type { Clock } from '../../../shared/clock';
import type { Profile } from '../../../shared/messages/profile';
import type { AccountId } from '../../../shared/protocol/ids';
import type { DesktopPairingResult } from '../../../shared/protocol/pairing';
import { createOneTimePrekeys, createSignedPrekey } from '../../../shared/protocol/prekeys';
import { SessionCipher } from '../../../shared/protocol/session-cipher';
import { InMemorySessionStore } from '../../../shared/protocol/session-store';
import type { AuthResult, RelayClient } from '../../../shared/wire/relay-client';
import type { Timers } from '../../../shared/wire/timers';
import { CoreError } from '../core-error';
import { startExpirySweeper, type ExpirySweeper } from '../expiry/message-expiry';
import { PinLock } from '../lock/pin-lock';
import type { CoreLogger } from '../logging';
import { DeviceDirectory } from '../messaging/device-directory';
import { MessagingService, type MessagingEvents } from '../messaging/messaging-service';
import { ContentSender } from '../messaging/content-sender';
import { AttachmentService, type AttachmentProgress, type AttachmentTransfer } from '../media/attachment-service';
import { DesktopGroups } from '../groups/desktop-groups';
import { groupListingRelay } from '../groups/group-listing-relay';
import { ContactVerification } from '../trust/contact-verification';
import { DeviceNotices } from '../trust/device-notices';
import { searchDirectory, type DirectoryResult } from '../trust/directory-lookup';
import { deleteAccountStore, openAccountStore, type AccountStore } from '../store/account-store';
import { StoreError } from '../store/store-error';
import { RelayLink, type RelayEndReason } from './relay-link';
import { SessionTimer, sessionWindow, type SessionWindow } from './session-timer';
import { checkWipeOrder } from './wipe-order';

export type SessionEndReason = RelayEndReason | 'TIMER' | 'LOGOUT' | 'WIPE';

export interface AccountSessionEvents extends MessagingEvents {
  relayConnected(connected: boolean): void;
  sessionWindow(window: SessionWindow): void;
  warning(endsAt: number): void;
  /** The session must end (the core calls close()). */
  ended(reason: SessionEndReason): void;
  /** Upload/download progress of an attachment. */
  attachmentProgress?(progress: AttachmentProgress): void;
  /** An attachment transfer failed, is being retried, or went through after a failure. */
  attachmentTransfer?(transfer: AttachmentTransfer): void;
  /** A group's verified state or its join requests changed. */
  groupChanged?(groupId: string, conversationId: string): void;
}

export interface AccountSessionDeps {
  readonly dataDir: string;
  readonly clock: Clock;
  /** Time rules (6-hour end): injectable for tests. */
  readonly timers: Timers;
  /** Network retries: always real time. */
  readonly networkTimers: Timers;
  readonly connect: () => Promise<RelayClient>;
  readonly log: CoreLogger;
  readonly events: AccountSessionEvents;
  /** The verification authority's public key (docs/trust-and-groups.md); none = nobody shows as verified. */
  readonly authorityKey?: Uint8Array | null;
}

export class AccountSession {
  readonly accountId: AccountId;
  readonly store: AccountStore;
  readonly lock: PinLock;
  readonly messaging: MessagingService;
  /** Sending, fetching and listing attachments (src/main/core/media/). */
  readonly attachments: AttachmentService;
  /** Contacts' verification badges from attestations this desktop checks itself. */
  readonly trust: ContactVerification;
  /** "<name> is using a new phone" lines in conversations (src/main/core/trust/device-notices.ts). */
  readonly deviceNotices: DeviceNotices;
  /** Groups and broadcast lists (src/main/core/groups/). */
  readonly groups: DesktopGroups;
  /** The "new chat" search: the relay directory when verified, else known contacts only. */
  readonly searchDirectory: (query: string) => Promise<DirectoryResult>;
  readonly timer: SessionTimer;
  profile: Profile;
  readonly #result: DesktopPairingResult;
  readonly #link: RelayLink;
  readonly #sweeper: ExpirySweeper;
  readonly #d: AccountSessionDeps;
  #closed = false;
  #opened = false;
  #nextPrekeyId = 1;
  #toppingUp = false;
  #endedWhileOpening: SessionEndReason | null = null;

  private constructor(result: DesktopPairingResult, store: AccountStore, deps: AccountSessionDeps) {
    this.#result = result;
    this.#d = deps;
    this.accountId = result.accountId;
    this.store = store;
    this.profile = result.profile;
    const { clock, log, events } = deps;
    const device = result.deviceKeys;
    const sessions = new InMemorySessionStore({ clock });
    const cipher = new SessionCipher({ accountId: result.accountId, device, certificate: result.certificateBytes, store: sessions, clock });
    this.#link = new RelayLink({
      connect: deps.connect,
      accountId: result.accountId,
      deviceId: device.deviceId,
      signingKey: device.signing.secretKey,
      timers: deps.networkTimers,
      log,
      events: {
        envelope: (id, bytes) => void this.messaging.receive(id, bytes).then(() => this.#topUpPrekeys(sessions)),
        wipe: (command) => this.#onWipe(command),
        connected: (auth, first) => this.#onConnected(auth, first, sessions),
        disconnected: () => events.relayConnected(false),
        ended: (reason) => this.#end(reason),
      },
    });
    this.deviceNotices = new DeviceNotices(store.db, clock, () => events.conversationsChanged());
    const directory = new DeviceDirectory(
      { getDeviceList: async (accountId) => (this.#link.client ? this.#link.client.getDeviceList(accountId) : null) },
      {
        pinned: (accountId) => store.contacts.get(accountId)?.identityKey,
        // The applier (re)writes the contact with the new key, which flags a changed safety number.
        changed: () => undefined,
        listSeen: (list, sameIdentity) => {
          if (this.#closed) return;
          try {
            this.deviceNotices.seen(list, sameIdentity);
          } catch (err) {
            log.warn({ code: err instanceof StoreError ? err.code : 'INTERNAL' }, 'device notice not stored');
          }
        },
        // The account's own signed list no longer names this desktop (e.g. the account was restored
        // on a new phone): the session ends and the user pairs again, even if the wipe order or the
        // relay's REVOKED close never reached us.
        ownListSeen: (list) => {
          if (!list.devices.some((d) => d.deviceId === device.deviceId)) this.#end('REVOKED');
        },
      },
      { accountId: result.accountId, identityKey: result.identityKey, list: result.deviceList },
    );
    this.messaging = new MessagingService({
      store,
      cipher,
      directory,
      relay: () => this.#link.client,
      self: () => ({ accountId: result.accountId, displayName: this.profile.displayName, verificationOf: (a) => this.trust.badges(a as AccountId) }),
      log,
      events,
      attachmentAnnounced: (content) => this.attachments.announced(content),
      groupContent: (content, from) => void this.groups.receive(content, from),
    });
    this.attachments = new AttachmentService({
      store,
      sender: new ContentSender({ cipher, relay: () => this.#link.client, directory, ownAccountId: result.accountId, log }),
      relay: () => this.#link.client,
      ownAccountId: result.accountId,
      log,
      view: (id) => this.messaging.view(id),
      groupRoute: (conversationId) => this.groups.attachmentRoute(conversationId),
      events: { ...events, progress: (p) => events.attachmentProgress?.(p), transfer: (t) => events.attachmentTransfer?.(t) },
    });
    this.trust = new ContactVerification({
      authorityKey: deps.authorityKey ?? null,
      relay: () => this.#link.client,
      identityKeyOf: (accountId) => (accountId === result.accountId ? result.identityKey : store.contacts.get(accountId)?.identityKey),
      clock,
      log,
      changed: () => events.conversationsChanged(),
    });
    this.searchDirectory = (query) =>
      searchDirectory(
        {
          authorityKey: this.trust.authorityKey,
          relay: () => this.#link.client,
          contacts: () => store.contacts.list(),
          badges: (accountId) => this.trust.badges(accountId),
          revocations: () => this.trust.revocations,
          ownAccountId: result.accountId,
          clock,
          log,
        },
        query,
      );
    this.groups = new DesktopGroups({
      store,
      clock,
      log,
      actor: { accountId: result.accountId, device, certificate: result.certificateBytes, identityKey: result.identityKey },
      self: () => ({ accountId: result.accountId, displayName: this.profile.displayName, verificationOf: (a) => this.trust.badges(a as AccountId) }),
      cipher,
      directory,
      relay: () => this.#link.client,
      listingRelay: () => groupListingRelay(this.#link.client),
      identityKeyFor: async (accountId) => {
        await this.messaging.knowAccount(accountId);
        await this.trust.refresh(accountId).catch(() => undefined);
        const contact = store.contacts.get(accountId);
        if (!contact) throw new CoreError('NOT_FOUND', 'account');
        if (contact.safetyNumberChanged) throw new CoreError('SAFETY_NUMBER_CHANGED', 'group member');
        return contact.identityKey;
      },
      events: {
        ...events,
        groupChanged: (groupId, conversationId) => events.groupChanged?.(groupId, conversationId),
        view: (id) => this.messaging.view(id),
        attachmentAnnounced: (content) => this.attachments.announced(content),
      },
    });
    this.lock = new PinLock(store.db, clock);
    this.timer = new SessionTimer(clock, deps.timers, { onWarning: (endsAt) => events.warning(endsAt), onEnd: () => this.#end('TIMER') });
    this.#sweeper = startExpirySweeper({
      store,
      clock,
      onSweep: (r) => ('error' in r ? log.warn({ code: 'SWEEP_FAILED' }, 'expiry sweep failed') : r.messages > 0 && events.conversationsChanged()),
    });
  }

  /**
   * Opens (or creates) the account's store with the key from the phone, connects to the relay as
   * the new device, publishes its prekeys and imports the phone's snapshot. On failure everything
   * opened so far is closed and the keys are purged.
   */
  static async open(result: DesktopPairingResult, deps: AccountSessionDeps): Promise<AccountSession> {
    let store: AccountStore;
    try {
      store = openStore(result, deps);
    } catch (err) {
      purgeResult(result);
      throw err;
    }
    const session = new AccountSession(result, store, deps);
    try {
      const authorisedAt = deps.clock.now();
      const auth = await session.#link.start();
      const window = sessionWindow(authorisedAt, auth.sessionEndsAt);
      session.messaging.importSnapshot(result.snapshot);
      session.groups.importSnapshot(result.snapshot.groups ?? [], result.snapshot.skippedGroups ?? []);
      session.timer.start(window);
      session.#opened = true;
      if (session.#endedWhileOpening) throw new CoreError('SESSION_EXPIRED', session.#endedWhileOpening);
      deps.events.sessionWindow(window);
    } catch (err) {
      await session.close({ wipe: session.#endedWhileOpening === 'WIPE' });
      throw err;
    }
    return session;
  }

  get deviceId(): string {
    return this.#result.deviceKeys.deviceId;
  }

  /** The Backup & Restore code the phone shared at pairing (memory only; src/main/core/security-key/). */
  get backupCode(): string | undefined {
    return this.#result.backupCode;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends everything; safe to call twice. */
  async close(options: { wipe: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.timer.stop();
    this.#link.stop();
    this.messaging.stop();
    this.#sweeper.stop();
    await this.messaging.idle().catch(() => undefined);
    await this.attachments.close().catch(() => undefined);
    await this.#sweeper.started.catch(() => null);
    try {
      this.store.close();
    } catch (err) {
      this.#d.log.warn({ code: err instanceof StoreError ? err.code : 'INTERNAL' }, 'store close failed');
    }
    purgeResult(this.#result);
    if (options.wipe) deleteAccountStore(this.#d.dataDir, this.accountId);
  }

  async #onConnected(auth: AuthResult, first: boolean, sessions: InMemorySessionStore): Promise<void> {
    if (auth.sessionEndsAt !== null) this.timer.shorten(auth.sessionEndsAt);
    if (first) await this.#publishPrekeys(sessions);
    this.#d.events.relayConnected(true);
    this.attachments.resume();
  }

  async #publishPrekeys(sessions: InMemorySessionStore): Promise<void> {
    const client = this.#link.client;
    if (!client) return;
    const signed = createSignedPrekey(this.#result.deviceKeys, 1, this.#d.clock.now());
    sessions.addSignedPrekey(signed.secret);
    await client.putSignedPrekey(signed.published);
    await this.#uploadOneTimePrekeys(client, sessions);
  }

  async #uploadOneTimePrekeys(client: RelayClient, sessions: InMemorySessionStore): Promise<void> {
    const batch = createOneTimePrekeys(this.#nextPrekeyId, ONE_TIME_PREKEY_BATCH);
    this.#nextPrekeyId += ONE_TIME_PREKEY_BATCH;
    sessions.addOneTimePrekeys(batch.secrets);
    await client.putOneTimePrekeys(batch.published);
  }

  /** Each new session uses one up; a fresh batch goes up before they run out. */
  async #topUpPrekeys(sessions: InMemorySessionStore): Promise<void> {
    const client = this.#link.client;
    if (this.#closed || this.#toppingUp || !client || sessions.oneTimePrekeyCount >= ONE_TIME_PREKEY_BATCH / 2) return;
    this.#toppingUp = true;
    try {
      await this.#uploadOneTimePrekeys(client, sessions);
    } catch (err) {
      this.#d.log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'prekey top-up failed');
    } finally {
      this.#toppingUp = false;
    }
  }

  #onWipe(command: Uint8Array): void {
    const check = checkWipeOrder(command, this.#result.identityKey, this.#result.deviceKeys.deviceId);
    if (!check.obey) {
      this.#d.log.warn({ code: check.code }, 'wipe command refused');
      return;
    }
    this.#end('WIPE');
  }

  #end(reason: SessionEndReason): void {
    if (this.#closed) return;
    // Before open() has handed the session over, nobody could act on the event: open() fails instead.
    if (!this.#opened) {
      this.#endedWhileOpening ??= reason;
      return;
    }
    this.#d.events.ended(reason);
  }
}

/**
 * A new key from the phone means any database left from before cannot be read by anyone any
 * more (that key is gone): replace it. A key handed back must open the existing database.
 */
function openStore(result: DesktopPairingResult, deps: AccountSessionDeps): AccountStore {
  const options = { dataDir: deps.dataDir, accountId: result.accountId, key: result.databaseKey.bytes, clock: deps.clock };
  try {
    return openAccountStore(options);
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'WRONG_KEY' || result.databaseKeyReused) throw err;
    deps.log.info({ code: 'WRONG_KEY' }, 'unreadable earlier database replaced after a fresh pairing');
    deleteAccountStore(deps.dataDir, result.accountId);
    return openAccountStore(options);
  }
}

function purgeResult(result: DesktopPairingResult): void {
  result.databaseKey.purge();
  result.deviceKeys.signing.secretKey.purge();
  result.deviceKeys.dh.secretKey.purge();
}
