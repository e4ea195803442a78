/**
 * The desktop core: the composition of workstation identity, app state, pairing, the paired
 * account's session and the API handlers. Plain Node; the Electron shell and the web host both
 * drive it through `handlers` (via dispatchApiCall) and `subscribe`.
 */
import type { Agent } from 'node:http';
import WebSocket from 'ws';
import { LANGUAGES, type ApiEventSink, type ApiHandlers, type Language, type Settings } from '../../shared/api';
import { systemClock, type Clock } from '../../shared/clock';
import { isWardlineError } from '../../shared/errors';
import { KIOSK_IDLE_LOGOUT_MS, PIN_MAX_TRIES, PRIVACY_SCREEN_IDLE_MS } from '../../shared/limits';
import { zAccountId } from '../../shared/protocol/ids';
import type { DesktopPairingResult } from '../../shared/protocol/pairing';
import { RelayClient, type WebSocketLike } from '../../shared/wire/relay-client';
import { runtimeTimers, type Timers } from '../../shared/wire/timers';
import { createApiHandlers, type CoreServices } from './api/handlers';
import type { RelayAgentSource } from './config/relay-proxy';
import { CoreError } from './core-error';
import { EventHub } from './event-hub';
import { IdleLogout } from './kiosk/idle-logout';
import { createCoreLogger, type CoreLogger } from './logging';
import { fallbackName } from './messaging/message-view';
import { PairingScreen } from './pairing/pairing-screen';
import { AccountSession, type SessionEndReason } from './session/account-session';
import { AppStateMachine } from './state/app-state';
import { loadWorkstationIdentity, saveWorkstationIdentity, type WorkstationIdentity } from './workstation/workstation-identity';

export interface DesktopCoreOptions {
  /** Per-workstation data directory (account databases live below it). */
  dataDir: string;
  /** ws://127.0.0.1:PORT for tests; wss://… in production. */
  relayUrl: string;
  /** Shown on the phone during pairing ("Ward 4 nursing station"). */
  workstationName?: string;
  /** Kiosk: every log-out (by hand, idle, session end) wipes the person's data; idle log-out runs. */
  kiosk?: boolean;
  /** Kiosk idle log-out (managed configuration); KIOSK_IDLE_LOGOUT_MS by default. */
  kioskIdleLogoutMs?: number;
  /** Privacy screen delay the renderer applies (managed configuration); PRIVACY_SCREEN_IDLE_MS by default. */
  privacyScreenMs?: number;
  /** Languages the user may choose (managed configuration); all by default. */
  allowedLanguages?: readonly Language[];
  clock?: Clock;
  /** Timers for the time rules (session end, offer rotation); tests pass ManualTimers with a FakeClock. */
  timers?: Timers;
  webSocketFactory?: (url: string) => WebSocketLike;
  /**
   * The managed `proxy` setting for the relay connection (src/main/core/config/relay-proxy.ts);
   * none = direct. Not used with a custom webSocketFactory.
   */
  relayAgent?: RelayAgentSource;
  /** Content-free logs. */
  logger?: CoreLogger;
  /** The verification authority's Ed25519 public key: contacts' badges need an attestation it signed. */
  authorityKey?: Uint8Array;
}

export interface DesktopCore {
  readonly handlers: ApiHandlers;
  subscribe(sink: ApiEventSink): () => void;
  /** Purges keys, closes the database and the relay socket. */
  close(): Promise<void>;
}

const defaultWebSocket = (url: string, agent?: Agent): WebSocketLike =>
  new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024, ...(agent ? { agent } : {}) });

export async function createDesktopCore(options: DesktopCoreOptions): Promise<DesktopCore> {
  const log = options.logger ?? createCoreLogger();
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? runtimeTimers;
  const relayAgent = options.relayAgent;
  const connect = async (): Promise<RelayClient> => {
    if (options.webSocketFactory) return RelayClient.connect({ url: options.relayUrl, connect: options.webSocketFactory });
    const agent = relayAgent ? await relayAgent(options.relayUrl) : undefined;
    return RelayClient.connect({ url: options.relayUrl, connect: (url) => defaultWebSocket(url, agent) });
  };
  let workstation: WorkstationIdentity = await loadWorkstationIdentity(options.dataDir, options.workstationName);
  const kiosk = options.kiosk ?? false;
  const allowedLanguages = options.allowedLanguages ?? LANGUAGES;
  if (!allowedLanguages.includes(workstation.settings.language) && allowedLanguages[0] !== undefined) {
    workstation = { ...workstation, settings: { ...workstation.settings, language: allowedLanguages[0] } };
  }

  const hub = new EventHub(log);
  const state = new AppStateMachine(
    { workstationName: workstation.name, kiosk, settings: workstation.settings },
    (s) => hub.emit('state.changed', s),
  );
  state.update({
    policy: {
      allowedLanguages: [...allowedLanguages],
      privacyScreenMs: options.privacyScreenMs ?? PRIVACY_SCREEN_IDLE_MS,
      kioskIdleLogoutMs: options.kioskIdleLogoutMs ?? KIOSK_IDLE_LOGOUT_MS,
    },
  });
  let session: AccountSession | null = null;
  let ending: Promise<void> | null = null;

  const idle = new IdleLogout(clock, timers, options.kioskIdleLogoutMs ?? KIOSK_IDLE_LOGOUT_MS, {
    countdown: (logoutAt) => hub.emit('session.idleLogout', { logoutAt }),
    logout: () => {
      log.info({ code: 'KIOSK_IDLE' }, 'kiosk idle log-out');
      void endSession(true, 'LOGOUT');
    },
  });

  const endSession = (wipeAsked: boolean, reason: SessionEndReason, removedByPhone = false): Promise<void> => {
    const current = session;
    if (!current) return ending ?? Promise.resolve();
    session = null;
    idle.stop();
    // On a kiosk the next person must find nothing of this one: every end is a wipe.
    const wipe = wipeAsked || kiosk;
    log.info({ reason, wipe }, 'session ending');
    ending = current.close({ wipe }).finally(() => {
      ending = null;
      if (state.phase === 'ready' || state.phase === 'locked') state.unpair();
      // The phone removed this desktop (revoked it, or the account moved to a restored phone):
      // the pairing screen says why, and that only pairing again brings the account back.
      if (removedByPhone) state.update({ ended: { reason: 'DEVICE_REMOVED', wiped: wipe } });
    });
    return ending;
  };

  const refreshLock = () => {
    if (!session) return;
    const s = session.lock.status();
    state.update({
      lock: { hasPin: s.hasPin, triesLeft: Math.max(0, PIN_MAX_TRIES - s.failedTries), ...(s.lockedUntil > 0 ? { lockedOutUntil: s.lockedUntil } : {}) },
    });
  };

  const onPaired = async (result: DesktopPairingResult): Promise<void> => {
    if (session) await endSession(false, 'LOGOUT');
    const opened = await AccountSession.open(result, {
      dataDir: options.dataDir,
      clock,
      timers,
      networkTimers: runtimeTimers,
      connect,
      log,
      authorityKey: options.authorityKey ?? null,
      events: {
        messageAdded: (m) => {
          if (state.phase === 'ready') hub.emit('message.added', m);
        },
        messageUpdated: (m) => {
          if (state.phase === 'ready') hub.emit('message.updated', m);
        },
        conversationsChanged: () => hub.emit('conversations.changed', null),
        groupChanged: (groupId, conversationId) => {
          if (state.phase === 'ready') hub.emit('groups.changed', { groupId, conversationId });
        },
        ownProfile: (displayName, profession) => {
          if (!session) return;
          session.profile = { displayName, profession };
          const account = state.state.account;
          if (account) state.update({ account: { ...account, displayName, ...(profession ? { profession } : {}) } });
        },
        relayConnected: (connected) => state.update({ relayConnected: connected }),
        sessionWindow: (w) => state.update({ session: { authorisedAt: w.authorisedAt, endsAt: w.endsAt } }),
        warning: (endsAt) => hub.emit('session.warning', { endsAt }),
        attachmentProgress: (p) => {
          if (state.phase === 'ready') hub.emit('attachment.progress', p);
        },
        attachmentTransfer: (t) => {
          if (state.phase === 'ready') hub.emit('attachment.transfer', t);
        },
        // WIPE here is the phone's signed order (a user's own "log out and wipe" goes through logout).
        ended: (reason) => void endSession(reason === 'WIPE', reason, reason === 'WIPE' || reason === 'REVOKED'),
      },
    });
    session = opened;
    if (kiosk) idle.start();
    const profile = result.profile;
    state.moveTo('ready', {
      ended: undefined,
      account: {
        accountId: result.accountId,
        displayName: profile.displayName || fallbackName(result.accountId),
        ...(profile.profession ? { profession: profile.profession } : {}),
        verification: { identity: false, registration: false },
      },
      relayConnected: true,
      ...(opened.timer.window ? { session: { authorisedAt: opened.timer.window.authorisedAt, endsAt: opened.timer.window.endsAt } } : {}),
    });
    refreshLock();
    void opened.trust.refresh(result.accountId).then(
      (verification) => {
        const account = state.state.account;
        if (session === opened && account) state.update({ account: { ...account, verification } });
      },
      () => undefined,
    );
    log.info({ accountId: result.accountId, deviceId: opened.deviceId, reused: result.databaseKeyReused }, 'paired');
  };

  const pairing = new PairingScreen({
    relayUrl: options.relayUrl,
    clock,
    timers,
    log,
    desktop: () => ({ workstationId: workstation.workstationId, name: workstation.name }),
    connect,
    onOffer: (offer) => hub.emit('pairing.offer', offer),
    onProgress: (progress) => hub.emit('pairing.progress', progress),
    onRelayConnected: (connected) => {
      if (state.phase === 'pairing' && state.state.relayConnected !== connected) state.update({ relayConnected: connected });
    },
    onPaired,
  });

  const paired = (): AccountSession => {
    if (session?.timer.isOver()) {
      void endSession(false, 'TIMER');
      throw new CoreError('SESSION_EXPIRED', 'session over');
    }
    if (!session || (state.phase !== 'ready' && state.phase !== 'locked')) throw new CoreError('NOT_PAIRED', 'not paired');
    return session;
  };

  const services: CoreServices = {
    state,
    pairing,
    paired,
    ready: () => {
      const s = paired();
      if (state.phase === 'locked') throw new CoreError('LOCKED', 'locked');
      return s;
    },
    refreshLock,
    lockNow: () => {
      const s = paired();
      if (!s.lock.status().hasPin) throw new CoreError('PIN_POLICY', 'NO_PIN');
      if (state.phase === 'ready') state.moveTo('locked');
    },
    unlocked: () => {
      if (state.phase === 'locked') state.moveTo('ready');
    },
    updateSettings: async (changes: Partial<Settings>) => {
      if (changes.language !== undefined && !allowedLanguages.includes(changes.language)) throw new CoreError('INVALID_INPUT', 'language not allowed');
      const settings = { ...workstation.settings, ...changes };
      workstation = { ...workstation, settings };
      await saveWorkstationIdentity(options.dataDir, workstation);
      state.update({ settings });
      return settings;
    },
    logout: (wipe) => endSession(wipe, wipe ? 'WIPE' : 'LOGOUT'),
    activity: () => {
      if (kiosk && session) idle.activity();
    },
    startConversation: async (accountId) => {
      const s = services.ready();
      const id = zAccountId.parse(accountId);
      // Notes to self are not a conversation: our own devices already share everything.
      if (id === s.accountId) throw new CoreError('INVALID_INPUT', 'own account');
      try {
        await s.messaging.knowAccount(id);
        // Best effort: the warning for an unverified peer shows until the check succeeds.
        await s.trust.refresh(id).catch(() => undefined);
      } catch (err) {
        throw new CoreError(isWardlineError(err) && err.code === 'CLOSED' ? 'RELAY_UNAVAILABLE' : 'NOT_FOUND', 'account', { cause: err });
      }
      return s.store.conversations.ensureDirect(id).id;
    },
    emitMessageUpdated: (s, messageId) => {
      const m = s.messaging.view(messageId);
      if (m && state.phase === 'ready') hub.emit('message.updated', m);
    },
  };

  state.moveTo('pairing');
  const handlers = createApiHandlers(services);

  return {
    handlers,
    subscribe: (sink) => hub.subscribe(sink),
    async close() {
      pairing.cancel();
      await endSession(false, 'LOGOUT');
    },
  };
}
