/**
 * `window.wardline` for a plain browser: the same `WardlineBridge` contract the Electron preload
 * provides, carried over the loopback web host's WebSocket (src/web-host/). The page URL holds
 * the host's token (`?token=…`). In Electron the preload has already installed the bridge and
 * this does nothing.
 *
 * Call `installWebBridgeIfNeeded()` from the renderer entry point before the app mounts.
 */
import type { ApiEventName, ApiInput, ApiMethodName, ApiOutput, ApiResult, WardlineBridge } from '../../shared/api';
import { WEB_API_PATH, type WebCallFrame, type WebHostFrame } from '../../shared/web-socket-api';

type Listener = (payload: unknown) => void;
type SocketFactory = (url: string) => WebSocket;

export interface WebBridge extends WardlineBridge {
  /** Stops reconnecting and closes the socket; pending calls fail. */
  close(): void;
}

/** After a lost connection: 0.5 s, 1 s, 2 s … at most 10 s between tries. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/** `WebSocket.OPEN`, spelled out so the module also loads where no global WebSocket exists (tests). */
const SOCKET_OPEN = 1;

const transportFailure: ApiResult<never> = { ok: false, error: { code: 'INTERNAL', detail: 'transport' } };

export function createWebBridge(socketUrl: string, openSocket: SocketFactory = (url) => new WebSocket(url)): WebBridge {
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let retryMs = RECONNECT_FIRST_MS;
  let closed = false;
  let connectedBefore = false;

  const dispatch = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch {
        // One failing listener must not starve the others of the event.
      }
    }
  };

  /** Events pushed while the socket was down are lost: hand the UI the current state instead. */
  const resync = (): void => {
    void bridge.call('app.getState', {}).then((result) => {
      if (!result.ok) return;
      dispatch('state.changed', result.value);
      dispatch('conversations.changed', null);
    });
  };

  const connect = (): void => {
    const current = openSocket(socketUrl);
    socket = current;
    current.addEventListener('open', () => {
      retryMs = RECONNECT_FIRST_MS;
      for (const frame of outbox.splice(0)) current.send(frame);
      if (connectedBefore) resync();
      connectedBefore = true;
    });
    current.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data === 'string') receive(event.data);
    });
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = undefined;
      // The host answers each call on the socket it came in on: those answers are lost now.
      for (const resolve of pending.values()) resolve(transportFailure);
      pending.clear();
      if (closed) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
    });
  };

  const receive = (data: string): void => {
    let frame: WebHostFrame;
    try {
      frame = JSON.parse(data) as WebHostFrame;
    } catch {
      return;
    }
    if (frame.type === 'result') {
      const resolve = pending.get(frame.id);
      pending.delete(frame.id);
      resolve?.(frame.result);
    } else if (frame.type === 'event') {
      dispatch(frame.event, frame.payload);
    }
  };

  const bridge: WebBridge = {
    call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiResult<ApiOutput<M>>> {
      if (closed) return Promise.resolve(transportFailure);
      if (socket === undefined) connect();
      const id = nextId++;
      const frame: WebCallFrame = { id, method, input };
      const text = JSON.stringify(frame);
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: ApiResult<unknown>) => void);
        if (socket?.readyState === SOCKET_OPEN) socket.send(text);
        else outbox.push(text);
      });
    },
    on(event: ApiEventName, listener: (payload: never) => void) {
      if (socket === undefined && !closed) connect();
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const wrapped = listener as Listener;
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
    close() {
      closed = true;
      outbox.length = 0;
      socket?.close();
    },
  };
  return bridge;
}

/** The API socket URL for a page served by the web host, or undefined when the page has no token. */
export function webApiSocketUrl(location: Pick<Location, 'host' | 'search' | 'protocol'>): string | undefined {
  const token = new URLSearchParams(location.search).get('token');
  if (token === null || token === '') return undefined;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WEB_API_PATH}?token=${encodeURIComponent(token)}`;
}

/** Installs the web bridge as `window.wardline` unless a bridge (the Electron preload's) exists. */
export function installWebBridgeIfNeeded(target: Window = window): void {
  if (target.wardline !== undefined) return;
  const url = webApiSocketUrl(target.location);
  if (url === undefined) return;
  target.wardline = createWebBridge(url);
}
