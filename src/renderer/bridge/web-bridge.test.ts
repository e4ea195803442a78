import { describe, expect, it, vi } from 'vitest';
import type { WebHostFrame } from '../../shared/web-socket-api';
import { createWebBridge, installWebBridgeIfNeeded, webApiSocketUrl } from './web-bridge';

/** A scripted stand-in for the browser's WebSocket. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  readonly #listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
    this.#fire('close', {});
  }
  open(): void {
    this.readyState = 1;
    this.#fire('open', {});
  }
  receive(frame: WebHostFrame | string): void {
    this.#fire('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  #fire(type: string, event: { data?: unknown }): void {
    for (const l of this.#listeners.get(type) ?? []) l(event);
  }
}

function setup() {
  FakeSocket.opened = [];
  const bridge = createWebBridge('ws://127.0.0.1:1/api?token=t', (url) => new FakeSocket(url) as unknown as WebSocket);
  return { bridge, socket: () => FakeSocket.opened.at(-1)! };
}

describe('webApiSocketUrl', () => {
  it('builds the API socket URL from the page URL and its token', () => {
    expect(webApiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=abc_-1' })).toBe('ws://127.0.0.1:4321/api?token=abc_-1');
    expect(webApiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '' })).toBeUndefined();
    expect(webApiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=' })).toBeUndefined();
  });
});

describe('createWebBridge', () => {
  it('queues calls until the socket opens and resolves them by id', async () => {
    const { bridge, socket } = setup();
    const state = bridge.call('app.getState', {});
    const search = bridge.call('messages.search', { query: 'kalium' });
    expect(socket().sent).toEqual([]);
    socket().open();
    const frames = socket().sent.map((s) => JSON.parse(s) as { id: number; method: string });
    expect(frames.map((f) => f.method)).toEqual(['app.getState', 'messages.search']);
    socket().receive({ type: 'result', id: frames[1]!.id, result: { ok: true, value: [] } });
    socket().receive({ type: 'result', id: frames[0]!.id, result: { ok: false, error: { code: 'NOT_PAIRED' } } });
    expect(await search).toEqual({ ok: true, value: [] });
    expect(await state).toEqual({ ok: false, error: { code: 'NOT_PAIRED' } });
  });

  it('delivers events to listeners until they unsubscribe, despite a throwing listener and garbage', () => {
    const { bridge, socket } = setup();
    const seen: unknown[] = [];
    bridge.on('conversations.changed', () => {
      throw new Error('listener bug');
    });
    const off = bridge.on('conversations.changed', (p) => seen.push(p));
    socket().open();
    socket().receive('not json');
    socket().receive({ type: 'event', event: 'conversations.changed', payload: null });
    off();
    socket().receive({ type: 'event', event: 'conversations.changed', payload: null });
    expect(seen).toEqual([null]);
  });

  it('fails pending calls when the connection drops, then reconnects with backoff', async () => {
    vi.useFakeTimers();
    try {
      const { bridge, socket } = setup();
      const call = bridge.call('app.getState', {});
      const first = socket();
      first.open();
      first.close();
      expect(await call).toEqual({ ok: false, error: { code: 'INTERNAL', detail: 'transport' } });
      expect(FakeSocket.opened).toHaveLength(1);
      vi.advanceTimersByTime(500);
      expect(FakeSocket.opened).toHaveLength(2);
      const again = bridge.call('conversations.list', {});
      const states: unknown[] = [];
      bridge.on('state.changed', (state) => states.push(state));
      socket().open();
      const frames = socket().sent.map((f) => JSON.parse(f) as { id: number; method: string });
      // The queued call, then a state refresh: events pushed while disconnected were lost.
      expect(frames.map((f) => f.method)).toEqual(['conversations.list', 'app.getState']);
      socket().receive({ type: 'result', id: frames[0]!.id, result: { ok: true, value: [] } });
      socket().receive({ type: 'result', id: frames[1]!.id, result: { ok: true, value: { phase: 'pairing' } } });
      expect(await again).toEqual({ ok: true, value: [] });
      await vi.waitFor(() => expect(states).toEqual([{ phase: 'pairing' }]));
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses calls after close', async () => {
    const { bridge, socket } = setup();
    bridge.call('app.getState', {}).catch(() => undefined);
    socket().open();
    bridge.close();
    expect(await bridge.call('app.getState', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});

describe('installWebBridgeIfNeeded', () => {
  it('keeps an existing bridge (Electron preload) and installs none without a token', () => {
    const existing = { call: vi.fn(), on: vi.fn() };
    const withPreload = { wardline: existing, location: { protocol: 'http:', host: 'x', search: '?token=t' } } as unknown as Window;
    installWebBridgeIfNeeded(withPreload);
    expect(withPreload.wardline).toBe(existing);
    const noToken = { location: { protocol: 'http:', host: 'x', search: '' } } as unknown as Window;
    installWebBridgeIfNeeded(noToken);
    expect(noToken.wardline).toBeUndefined();
  });
});
