/**
 * The sandboxed preload: exposes `window.wardline` (the `WardlineBridge` contract) over two IPC
 * channels and nothing else. No Node API, key, path or the raw ipcRenderer reaches the page;
 * the main process validates every call (sender frame + schema) before it runs.
 * Built as CommonJS (electron.vite.config.ts): a sandboxed renderer cannot load an ESM preload.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiEventName, ApiInput, ApiMethodName, ApiOutput, ApiResult, WardlineBridge } from '../shared/api';
import { IPC_CHANNELS } from '../shared/ipc-channels';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_CHANNELS.event, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) {
    try {
      listener(payload);
    } catch {
      // One failing listener must not starve the others of the event.
    }
  }
});

const bridge: WardlineBridge = {
  call<M extends ApiMethodName>(method: M, input: ApiInput<M>) {
    return ipcRenderer.invoke(IPC_CHANNELS.call, method, input) as Promise<ApiResult<ApiOutput<M>>>;
  },
  on(event: ApiEventName, listener: (payload: never) => void) {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const wrapped = listener as Listener;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('wardline', bridge);
