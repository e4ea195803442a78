/**
 * One handler per method of the API contract (src/shared/api.ts). Input is already validated
 * by dispatchApiCall; handlers check the app phase, call the domain services and map results.
 */
import type { ApiHandlers, Contact, Settings, UnlockResult } from '../../../shared/api';
import { zAccountId, type AccountId } from '../../../shared/protocol/ids';
import { CoreError } from '../core-error';
import { toApiConversation, toApiMessage } from '../messaging/message-view';
import type { AccountSession } from '../session/account-session';
import type { AppStateMachine } from '../state/app-state';
import type { PairingScreen } from '../pairing/pairing-screen';
import { revealSecurityKey } from '../security-key/security-key';
import { createGroupHandlers } from '../groups/group-handlers';

export interface CoreServices {
  readonly state: AppStateMachine;
  readonly pairing: PairingScreen;
  /** The paired session when the app is ready (throws NOT_PAIRED / LOCKED / SESSION_EXPIRED). */
  ready(): AccountSession;
  /** The paired session whether locked or not (throws NOT_PAIRED). */
  paired(): AccountSession;
  /** Re-reads the lock status into the app state. */
  refreshLock(): void;
  lockNow(): void;
  unlocked(): void;
  updateSettings(changes: Partial<Settings>): Promise<Settings>;
  logout(wipe: boolean): Promise<void>;
  /** The renderer saw user input (kiosk idle log-out); rate-limited by the core. */
  activity(): void;
  /** Verified device list from the relay directory; makes sure a contact row exists. */
  startConversation(accountId: string): Promise<string>;
  emitMessageUpdated(session: AccountSession, messageId: string): void;
}

const CURSOR = /^(\d{1,16}):(\d{1,16})$/;

function parseCursor(before: string | undefined) {
  if (before === undefined) return null;
  const m = CURSOR.exec(before);
  if (!m) throw new CoreError('INVALID_INPUT', 'cursor');
  return { sentAt: Number(m[1]), seq: Number(m[2]) };
}

function self(s: AccountSession) {
  return {
    accountId: s.accountId,
    displayName: s.profile.displayName,
    verificationOf: (a: string) => s.trust.badges(a as AccountId),
    deviceNoticesOf: (conversationId: string) => s.deviceNotices.list(conversationId),
  };
}

export function createApiHandlers(core: CoreServices): ApiHandlers {
  return {
    'app.getState': () => Promise.resolve(core.state.state),

    'pairing.start': async () => {
      if (core.state.phase !== 'pairing') throw new CoreError('INVALID_INPUT', 'already paired');
      return core.pairing.start();
    },
    'pairing.cancel': () => {
      core.pairing.cancel();
      return Promise.resolve(null);
    },

    'conversations.list': () => {
      const s = core.ready();
      return Promise.resolve(s.store.conversations.list({ limit: 500 }).map((c) => toApiConversation(s.store, self(s), c)));
    },
    'conversations.start': async ({ accountId }) => {
      const s = core.ready();
      if (!zAccountId.safeParse(accountId).success) throw new CoreError('INVALID_INPUT', 'accountId');
      const conversationId = await core.startConversation(accountId);
      const summary = s.store.conversations.list({ limit: 1000 }).find((c) => c.id === conversationId);
      if (!summary) throw new CoreError('NOT_FOUND', 'conversation');
      return toApiConversation(s.store, self(s), summary);
    },
    'conversations.markRead': ({ conversationId }) => {
      const s = core.ready();
      if (!s.groups.markRead(conversationId)) s.messaging.markRead(conversationId);
      return Promise.resolve(null);
    },
    'conversations.acknowledgeSafetyNumber': ({ conversationId }) => {
      const s = core.ready();
      const peer = s.store.conversations.get(conversationId)?.peerAccountId;
      if (!peer) throw new CoreError('NOT_FOUND', 'conversation');
      s.store.contacts.acknowledgeSafetyNumberChange(peer);
      return Promise.resolve(null);
    },

    'messages.page': ({ conversationId, before, limit }) => {
      const s = core.ready();
      if (!s.store.conversations.get(conversationId)) throw new CoreError('NOT_FOUND', 'conversation');
      const page = s.store.messages.page(conversationId, { limit, older: parseCursor(before) });
      return Promise.resolve({
        messages: page.messages.map((m) => toApiMessage(s.store, self(s), m)),
        ...(page.older ? { nextCursor: `${page.older.sentAt}:${page.older.seq}` } : {}),
      });
    },
    'messages.send': ({ conversationId, text }) => {
      const s = core.ready();
      const group = s.groups.service.byConversation(conversationId);
      return group ? s.groups.service.sendText(group, text) : s.messaging.sendText(conversationId, text);
    },
    'messages.keep': ({ messageId, kept }) => {
      const s = core.ready();
      if (!s.store.messages.setKept(messageId, kept)) throw new CoreError('NOT_FOUND', 'message');
      const m = s.store.messages.get(messageId)!;
      core.emitMessageUpdated(s, messageId);
      return Promise.resolve(toApiMessage(s.store, self(s), m));
    },
    'messages.search': ({ query }) => {
      const s = core.ready();
      const titles = new Map(s.store.conversations.list({ limit: 1000 }).map((c) => [c.id, toApiConversation(s.store, self(s), c).title]));
      return Promise.resolve(
        s.store.search.search(query, { limit: 100 }).map((h) => ({
          messageId: h.messageId,
          conversationId: h.conversationId,
          conversationTitle: titles.get(h.conversationId) ?? '',
          snippet: h.snippet,
          sentAt: h.sentAt,
        })),
      );
    },

    'messages.sendAttachment': ({ conversationId, fileName, mimeType, data, caption }) =>
      core.ready().attachments.send({ conversationId, fileName, mimeType, bytes: new Uint8Array(Buffer.from(data, 'base64')), ...(caption === undefined ? {} : { caption }) }),
    'attachments.get': ({ attachmentId }) => core.ready().attachments.file(attachmentId),
    'attachments.list': ({ conversationId }) => Promise.resolve(core.ready().attachments.list(conversationId)),
    'attachments.beginUpload': (input) => core.ready().attachments.beginUpload(input),
    'attachments.uploadChunk': ({ uploadId, index, data }) => core.ready().attachments.uploadChunk(uploadId, index, new Uint8Array(Buffer.from(data, 'base64'))),
    'attachments.commitUpload': ({ uploadId, caption }) => core.ready().attachments.commitUpload(uploadId, caption),
    'attachments.abortUpload': async ({ uploadId }) => {
      await core.ready().attachments.abortUpload(uploadId);
      return null;
    },
    'attachments.retry': async ({ messageId }) => {
      await core.ready().attachments.retry(messageId);
      return null;
    },
    'attachments.failures': () => Promise.resolve(core.ready().attachments.failures()),

    'contacts.list': () => {
      const s = core.ready();
      return Promise.resolve(
        s.store.contacts.list().map(
          (c): Contact => ({
            accountId: c.accountId,
            displayName: c.displayName,
            ...(c.profession ? { profession: c.profession } : {}),
            ...(c.organisation ? { organisation: c.organisation } : {}),
            verification: s.trust.badges(c.accountId as AccountId),
          }),
        ),
      );
    },

    'directory.search': ({ query }) => core.ready().searchDirectory(query),

    'lock.setPin': async ({ pin, currentPin }) => {
      const s = core.ready();
      const result = s.lock.status().hasPin
        ? await s.lock.changePin(currentPin ?? '', pin)
        : await s.lock.setInitialPin(pin);
      core.refreshLock();
      if (result.ok) return null;
      switch (result.code) {
        case 'WRONG_PIN':
          throw new CoreError('WRONG_PIN', 'current PIN');
        case 'LOCKED_OUT':
          throw new CoreError('LOCKED_OUT', 'current PIN');
        default:
          throw new CoreError('PIN_POLICY', result.code);
      }
    },
    'lock.unlock': async ({ pin }): Promise<UnlockResult> => {
      const s = core.paired();
      const result = await s.lock.verify(pin);
      core.refreshLock();
      if (result.ok) {
        core.unlocked();
        return { ok: true };
      }
      if (result.code === 'NO_PIN') throw new CoreError('PIN_POLICY', 'NO_PIN');
      return result;
    },
    'lock.lockNow': () => {
      core.lockNow();
      return Promise.resolve(null);
    },

    'settings.update': (changes) => core.updateSettings(changes),

    'security.getKey': async ({ pin }) => {
      try {
        return await revealSecurityKey(core.ready(), pin, core.state.state.kiosk);
      } finally {
        core.refreshLock();
      }
    },

    ...createGroupHandlers(core),

    'session.logout': async () => {
      await core.logout(false);
      return null;
    },
    'session.logoutAndWipe': async () => {
      await core.logout(true);
      return null;
    },
    'session.activity': () => {
      core.activity();
      return Promise.resolve(null);
    },
  };
}
