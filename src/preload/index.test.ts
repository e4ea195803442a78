import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { WardlineBridge } from '../shared/api';
import { IPC_CHANNELS } from '../shared/ipc-channels';

// The preload runs only inside Electron; here `electron` is replaced by a recording stand-in.
const exposed = new Map<string, unknown>();
const invoke = vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, value: null }));
let emit: (name: unknown, payload: unknown) => void = () => undefined;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (channel: string, listener: (event: unknown, name: unknown, payload: unknown) => void) => {
      if (channel === IPC_CHANNELS.event) emit = (name, payload) => listener({ sender: 'raw ipc event' }, name, payload);
    },
  },
}));

let bridge: WardlineBridge;
beforeAll(async () => {
  await import('./index');
  bridge = exposed.get('wardline') as WardlineBridge;
});

describe('preload', () => {
  it('exposes only window.wardline with call and on', () => {
    expect([...exposed.keys()]).toEqual(['wardline']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
  });

  it('sends calls over the one invoke channel', async () => {
    expect(await bridge.call('lock.unlock', { pin: '12345' })).toEqual({ ok: true, value: null });
    expect(invoke).toHaveBeenCalledWith(IPC_CHANNELS.call, 'lock.unlock', { pin: '12345' });
  });

  it('hands events to listeners without the raw IPC event, until they unsubscribe', () => {
    const seen: unknown[] = [];
    bridge.on('pairing.progress', () => {
      throw new Error('listener bug');
    });
    const off = bridge.on('pairing.progress', (p) => seen.push(p));
    emit('pairing.progress', { step: 'waiting' });
    emit(42, { step: 'waiting' });
    emit('conversations.changed', null);
    off();
    emit('pairing.progress', { step: 'completed' });
    expect(seen).toEqual([{ step: 'waiting' }]);
  });
});
