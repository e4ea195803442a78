import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../shared/ipc-channels';
import { createFakeDesktopCore, FAKE_STATE } from './fake-desktop-core';
import { serveApiOverIpc, type IpcInvokeEventLike, type IpcMainLike } from './ipc-transport';
import { APP_ORIGIN } from './security-policy';

function fakeIpc() {
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipcMain, handlers };
}

function fakeWindow() {
  const sent: unknown[][] = [];
  let destroyed = false;
  return {
    sent,
    destroy: () => (destroyed = true),
    isDestroyed: () => destroyed,
    webContents: { id: 7, send: (channel: string, ...args: unknown[]) => void sent.push([channel, ...args]) },
  };
}

const ownFrame = (url = 'app://wardline/index.html', senderId = 7, parent: unknown = null): IpcInvokeEventLike => ({ sender: { id: senderId }, senderFrame: { url, parent } });

describe('serveApiOverIpc', () => {
  it('serves calls from our own page through dispatchApiCall', async () => {
    const core = createFakeDesktopCore();
    const { ipcMain, handlers } = fakeIpc();
    serveApiOverIpc({ ipcMain, core, window: fakeWindow(), trustedOrigin: APP_ORIGIN });
    const call = handlers.get(IPC_CHANNELS.call)!;
    expect(await call(ownFrame(), 'app.getState', {})).toEqual({ ok: true, value: FAKE_STATE });
  });

  it('validates input with the contract before the core sees it', async () => {
    const core = createFakeDesktopCore();
    const { ipcMain, handlers } = fakeIpc();
    serveApiOverIpc({ ipcMain, core, window: fakeWindow(), trustedOrigin: APP_ORIGIN });
    const call = handlers.get(IPC_CHANNELS.call)!;
    expect(await call(ownFrame(), 'lock.unlock', { pin: 'abc' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call(ownFrame(), 'fs.readFile', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await call(ownFrame(), '__proto__', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(core.calls).toEqual([]);
  });

  it('refuses senders that are not our page in our window', async () => {
    const core = createFakeDesktopCore();
    const { ipcMain, handlers } = fakeIpc();
    const window = fakeWindow();
    serveApiOverIpc({ ipcMain, core, window, trustedOrigin: APP_ORIGIN });
    const call = handlers.get(IPC_CHANNELS.call)!;
    const forbidden = { ok: false, error: { code: 'FORBIDDEN_SENDER' } };
    expect(await call(ownFrame('https://evil.example/'), 'app.getState', {})).toEqual(forbidden);
    expect(await call(ownFrame('file:///tmp/x.html'), 'app.getState', {})).toEqual(forbidden);
    expect(await call({ sender: { id: 7 }, senderFrame: null }, 'app.getState', {})).toEqual(forbidden);
    expect(await call(ownFrame(undefined, 8), 'app.getState', {})).toEqual(forbidden);
    expect(await call(ownFrame(undefined, 7, { url: 'app://wardline/index.html' }), 'app.getState', {})).toEqual(forbidden);
    window.destroy();
    expect(await call(ownFrame(), 'app.getState', {})).toEqual(forbidden);
    expect(core.calls).toEqual([]);
  });

  it('forwards core events to the window on the event channel, and stops on dispose', () => {
    const core = createFakeDesktopCore();
    const { ipcMain, handlers } = fakeIpc();
    const window = fakeWindow();
    const stop = serveApiOverIpc({ ipcMain, core, window, trustedOrigin: APP_ORIGIN });
    core.emit('conversations.changed', null);
    expect(window.sent).toEqual([[IPC_CHANNELS.event, 'conversations.changed', null]]);
    stop();
    expect(handlers.has(IPC_CHANNELS.call)).toBe(false);
    expect(core.subscriberCount).toBe(0);
  });

  it('sends nothing to a destroyed window', () => {
    const core = createFakeDesktopCore();
    const window = fakeWindow();
    serveApiOverIpc({ ipcMain: fakeIpc().ipcMain, core, window, trustedOrigin: APP_ORIGIN });
    window.destroy();
    core.emit('conversations.changed', null);
    expect(window.sent).toEqual([]);
  });
});
