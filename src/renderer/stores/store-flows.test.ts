/** The stores against a fake bridge (test-only): what the UI does with the core's answers and events. */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  ApiErrorCode,
  ApiEventName,
  ApiEventPayload,
  ApiInput,
  ApiMethodName,
  ApiOutput,
  ApiResult,
  AppState,
  Message,
  WardlineBridge,
} from '../../shared/api';
import { MESSAGE_RETENTION_MS, PIN_FIRST_LOCKOUT_MS, PRIVACY_SCREEN_IDLE_MS } from '../../shared/limits';
import { createWardlineClient, installWardlineClient } from '../api';
import { useAppStore } from './app';
import { useConversationsStore } from './conversations';
import { useLockStore } from './lock';
import { mergeMessages, useMessagesStore } from './messages';
import { useNoticesStore } from './notices';
import { usePairingStore } from './pairing';
import { usePrivacyStore } from './privacy';

class Refusal extends Error {
  constructor(readonly code: ApiErrorCode) {
    super(code);
  }
}

type Handlers = { [M in ApiMethodName]?: (input: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>> };

function fakeBridge(handlers: Handlers) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: { method: ApiMethodName; input: unknown }[] = [];
  const bridge: WardlineBridge = {
    async call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiResult<ApiOutput<M>>> {
      calls.push({ method, input });
      const handler = handlers[method];
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_METHOD' } };
      try {
        return { ok: true, value: await handler(input) };
      } catch (e) {
        if (e instanceof Refusal) return { ok: false, error: { code: e.code } };
        throw e;
      }
    },
    on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  const emit = <E extends ApiEventName>(event: E, payload: ApiEventPayload<E>) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  installWardlineClient(createWardlineClient(bridge));
  return { calls, emit, listenerCount: (event: ApiEventName) => listeners.get(event)?.size ?? 0 };
}

const NOW = Date.UTC(2026, 10, 25, 9, 0);

function appState(patch: Partial<AppState> = {}): AppState {
  return {
    phase: 'ready',
    workstationName: 'Ward 4',
    kiosk: false,
    relayConnected: true,
    lock: { hasPin: true, triesLeft: 3 },
    settings: { language: 'en', notifications: 'private', privacyReveal: 'click' },
    session: { authorisedAt: NOW, endsAt: NOW + 6 * 3600_000 },
    ...patch,
  };
}

function message(id: string, sentAt: number, patch: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 'c1',
    direction: 'in',
    senderAccountId: 'a1',
    senderName: 'Dr. A',
    body: `body ${id}`,
    sentAt,
    state: 'delivered',
    kept: false,
    expiresAt: sentAt + MESSAGE_RETENTION_MS,
    attachments: [],
    ...patch,
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('app store', () => {
  it('loads the state, follows state.changed and the session warning', async () => {
    const fake = fakeBridge({ 'app.getState': () => appState({ phase: 'pairing' }) });
    const app = useAppStore();
    expect(app.phase).toBe('starting');
    await app.start();
    expect(app.phase).toBe('pairing');
    fake.emit('state.changed', appState());
    expect(app.phase).toBe('ready');
    fake.emit('session.warning', { endsAt: NOW + 1000 });
    expect(app.sessionWarningFor).toBe(NOW + 1000);
    fake.emit('state.changed', appState({ phase: 'pairing', session: undefined }));
    expect(app.sessionWarningFor).toBeNull();
  });

  it('keeps the failure code when the core cannot be reached', async () => {
    fakeBridge({});
    const app = useAppStore();
    await app.start();
    expect(app.loadError).toBe('UNKNOWN_METHOD');
    expect(app.state).toBeNull();
  });

  it('subscribes once however often it starts', async () => {
    const fake = fakeBridge({ 'app.getState': () => appState() });
    const app = useAppStore();
    await app.start();
    await app.start();
    expect(fake.listenerCount('state.changed')).toBe(1);
  });
});

describe('pairing store', () => {
  it('shows the rotating offer and the progress the core reports', async () => {
    let n = 0;
    const fake = fakeBridge({ 'pairing.start': () => ({ url: `wardline://p/offer-${++n}`, expiresAt: NOW + 45_000 }) });
    const pairing = usePairingStore();
    await pairing.start();
    expect(pairing.offer?.url).toBe('wardline://p/offer-1');
    fake.emit('pairing.offer', { url: 'wardline://p/rotated', expiresAt: NOW + 90_000 });
    expect(pairing.offer?.url).toBe('wardline://p/rotated');
    fake.emit('pairing.progress', { step: 'confirming', confirmationCode: '482913' });
    expect(pairing.progress).toEqual({ step: 'confirming', confirmationCode: '482913' });
    fake.emit('pairing.progress', { step: 'failed', errorCode: 'BAD_SIGNATURE' });
    // A fresh offer after a failure starts a fresh attempt.
    fake.emit('pairing.offer', { url: 'wardline://p/after-failure', expiresAt: NOW + 135_000 });
    expect(pairing.progress.step).toBe('waiting');
    await pairing.start();
    expect(fake.listenerCount('pairing.offer')).toBe(1);
    pairing.leave();
    expect(fake.listenerCount('pairing.offer')).toBe(0);
    expect(pairing.offer).toBeNull();
  });

  it('keeps the error code when no offer can be made', async () => {
    fakeBridge({
      'pairing.start': () => {
        throw new Refusal('RELAY_UNAVAILABLE');
      },
    });
    const pairing = usePairingStore();
    await pairing.start();
    expect(pairing.error).toBe('RELAY_UNAVAILABLE');
    expect(pairing.offer).toBeNull();
  });
});

describe('lock store', () => {
  it('reports tries left, then the lockout, and refreshes the state after a good PIN', async () => {
    let tries = 3;
    let state = appState({ phase: 'locked' });
    const lockedUntil = NOW + PIN_FIRST_LOCKOUT_MS;
    fakeBridge({
      'app.getState': () => state,
      'lock.unlock': ({ pin }) => {
        if (pin === '48151') {
          state = appState();
          return { ok: true };
        }
        tries -= 1;
        return tries > 0 ? { ok: false, code: 'WRONG_PIN', triesLeft: tries } : { ok: false, code: 'LOCKED_OUT', until: lockedUntil };
      },
    });
    const app = useAppStore();
    await app.start();
    const lock = useLockStore();
    expect(await lock.unlock('11111')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
    expect(lock.triesLeft).toBe(2);
    await lock.unlock('11112');
    expect(await lock.unlock('11113')).toMatchObject({ code: 'LOCKED_OUT' });
    expect(lock.lockedOutUntil).toBe(lockedUntil);
    expect(await lock.unlock('48151')).toEqual({ ok: true });
    expect(app.phase).toBe('ready');
  });

  it('surfaces PIN_POLICY as a typed error', async () => {
    fakeBridge({
      'app.getState': () => appState(),
      'lock.setPin': () => {
        throw new Refusal('PIN_POLICY');
      },
    });
    await expect(useLockStore().setPin('12345')).rejects.toMatchObject({ code: 'PIN_POLICY' });
  });
});

describe('privacy store', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hides after the idle time and reveals with one click', async () => {
    fakeBridge({ 'app.getState': () => appState() });
    await useAppStore().start();
    const privacy = usePrivacyStore();
    privacy.arm();
    vi.advanceTimersByTime(PRIVACY_SCREEN_IDLE_MS - 1);
    expect(privacy.hidden).toBe(false);
    vi.advanceTimersByTime(1);
    expect(privacy.hidden).toBe(true);
    privacy.reveal();
    expect(privacy.hidden).toBe(false);
    vi.advanceTimersByTime(PRIVACY_SCREEN_IDLE_MS);
    expect(privacy.hidden).toBe(true);
  });

  it('needs the PIN when the setting says so, and a wrong PIN keeps it hidden', async () => {
    fakeBridge({
      'app.getState': () => appState({ settings: { language: 'en', notifications: 'private', privacyReveal: 'pin' } }),
      'lock.unlock': ({ pin }) => (pin === '48151' ? { ok: true } : { ok: false, code: 'WRONG_PIN', triesLeft: 2 }),
    });
    await useAppStore().start();
    const privacy = usePrivacyStore();
    privacy.arm();
    privacy.hideNow();
    privacy.reveal();
    expect(privacy.hidden).toBe(true);
    expect(await privacy.revealWithPin('00000')).toMatchObject({ code: 'WRONG_PIN' });
    expect(privacy.hidden).toBe(true);
    expect(await privacy.revealWithPin('48151')).toEqual({ ok: true });
    expect(privacy.hidden).toBe(false);
  });

  it('falls back to one click when no PIN is set, and stops when disarmed', async () => {
    fakeBridge({
      'app.getState': () =>
        appState({ lock: { hasPin: false, triesLeft: 3 }, settings: { language: 'en', notifications: 'private', privacyReveal: 'pin' } }),
    });
    await useAppStore().start();
    const privacy = usePrivacyStore();
    privacy.arm();
    privacy.hideNow();
    privacy.reveal();
    expect(privacy.hidden).toBe(false);
    privacy.disarm();
    vi.advanceTimersByTime(10 * PRIVACY_SCREEN_IDLE_MS);
    expect(privacy.hidden).toBe(false);
  });
});

describe('conversations store', () => {
  it('keeps only the latest search answer when answers arrive out of order', async () => {
    const pending: Record<string, (v: ApiOutput<'messages.search'>) => void> = {};
    fakeBridge({
      'messages.search': ({ query }) => new Promise((resolve) => (pending[query] = resolve)),
    });
    const store = useConversationsStore();
    const first = store.search('insu');
    const second = store.search('insulin');
    pending.insulin!([{ messageId: 'm2', conversationId: 'c1', conversationTitle: 'Dr. A', snippet: '\u0002insulin\u0003', sentAt: NOW }]);
    await second;
    pending.insu!([]);
    await first;
    expect(store.results?.map((h) => h.messageId)).toEqual(['m2']);
    expect(store.searching).toBe(false);
    store.clearSearch();
    expect(store.results).toBeNull();
  });

  it('clears unread at once and reloads on conversations.changed', async () => {
    let unread = 2;
    const fake = fakeBridge({
      'conversations.list': () => [
        { id: 'c1', title: 'Dr. A', peerAccountId: 'a1', verification: { identity: true, registration: false }, safetyNumberChanged: false, unread, updatedAt: NOW },
      ],
      'conversations.markRead': () => {
        unread = 0;
        return null;
      },
    });
    const store = useConversationsStore();
    await store.start();
    expect(store.list[0]?.unread).toBe(2);
    const marking = store.markRead('c1');
    expect(store.list[0]?.unread).toBe(0);
    await marking;
    unread = 5;
    fake.emit('conversations.changed', null);
    await vi.waitFor(() => expect(store.list[0]?.unread).toBe(5));
    expect(fake.calls.filter((c) => c.method === 'conversations.markRead')).toHaveLength(1);
  });
});

describe('conversation list loading', () => {
  it('coalesces a burst of events into one call in flight and one after', async () => {
    const answers: ((v: ApiOutput<'conversations.list'>) => void)[] = [];
    const fake = fakeBridge({ 'conversations.list': () => new Promise((resolve) => answers.push(resolve)) });
    const store = useConversationsStore();
    const started = store.start();
    for (let i = 0; i < 20; i++) fake.emit('message.added', message(`m${i}`, NOW + i));
    expect(answers).toHaveLength(1);
    answers[0]!([]);
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!([]);
    await started;
    expect(fake.calls.filter((c) => c.method === 'conversations.list')).toHaveLength(2);
    expect(store.loaded).toBe(true);
  });
});

describe('messages store', () => {
  it('merges pages and events by id in time order', () => {
    const merged = mergeMessages([message('b', NOW + 2), message('a', NOW + 1)], [message('b', NOW + 2, { state: 'read' }), message('c', NOW)]);
    expect(merged.map((m) => `${m.id}:${m.state}`)).toEqual(['c:delivered', 'a:delivered', 'b:read']);
  });

  it('adds incoming messages to an open conversation and updates states', async () => {
    const fake = fakeBridge({ 'messages.page': () => ({ messages: [message('a', NOW)], nextCursor: 'cur' }) });
    const store = useMessagesStore();
    store.start();
    await store.open('c1');
    fake.emit('message.added', message('b', NOW + 5));
    fake.emit('message.added', message('x', NOW, { conversationId: 'other' }));
    fake.emit('message.updated', message('a', NOW, { kept: true, expiresAt: undefined }));
    const entry = store.conversations.c1!;
    expect(entry.messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(entry.messages[0]?.kept).toBe(true);
    expect(entry.nextCursor).toBe('cur');
    expect(store.conversations.other).toBeUndefined();
  });

  it('keeps the draft and reports the code when sending fails', async () => {
    fakeBridge({
      'messages.send': () => {
        throw new Refusal('RELAY_UNAVAILABLE');
      },
    });
    const store = useMessagesStore();
    expect(await store.send('c1', 'hello')).toBe(false);
    expect(useNoticesStore().notices.map((n) => n.code)).toEqual(['RELAY_UNAVAILABLE']);
  });

  it('forgets every message and draft on reset', async () => {
    fakeBridge({ 'messages.page': () => ({ messages: [message('a', NOW)] }) });
    const store = useMessagesStore();
    await store.open('c1');
    store.drafts.c1 = 'half a sentence';
    store.reset();
    expect(store.conversations).toEqual({});
    expect(store.drafts).toEqual({});
  });
});
