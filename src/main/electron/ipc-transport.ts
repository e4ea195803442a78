/**
 * The Electron transport of the API contract: one `invoke` channel for calls, one channel for
 * events (src/shared/ipc-channels.ts, shared with the preload). Every call is first checked to
 * come from our own window's page, then validated and run by `dispatchApiCall`, exactly like
 * the web host does. Typed structurally so it is tested without the Electron binary.
 */
import type { ApiEventName, ApiResult } from '../../shared/api';
import { IPC_CHANNELS } from '../../shared/ipc-channels';
import { dispatchApiCall, type DispatchLogger } from '../core/api/dispatch';
import type { DesktopCore } from '../core/desktop-core';
import { isTrustedSender } from './security-policy';

export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  /** null when the frame navigated away or was destroyed before the call arrived. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface RendererTargetLike {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number; send(channel: string, ...args: unknown[]): void };
}

export interface IpcTransportOptions {
  readonly ipcMain: IpcMainLike;
  readonly core: DesktopCore;
  readonly window: RendererTargetLike;
  readonly trustedOrigin: string;
  readonly log?: DispatchLogger;
}

const forbidden: ApiResult<never> = { ok: false, error: { code: 'FORBIDDEN_SENDER' } };

/** Starts serving; the returned function stops it (handler removed, core unsubscribed). */
export function serveApiOverIpc(options: IpcTransportOptions): () => void {
  const { ipcMain, core, window, trustedOrigin, log } = options;
  ipcMain.handle(IPC_CHANNELS.call, async (event, method, input) => {
    const ownWindow = !window.isDestroyed() && event.sender.id === window.webContents.id;
    // Only the top frame: the CSP allows no frames, and a frame that got in anyway gets nothing.
    const topFrame = event.senderFrame !== null && event.senderFrame.parent === null;
    if (!ownWindow || !topFrame || !isTrustedSender(event.senderFrame.url, trustedOrigin)) {
      log?.warn({ channel: IPC_CHANNELS.call }, 'ipc call from an untrusted sender refused');
      return forbidden;
    }
    return dispatchApiCall(core.handlers, method, input, log);
  });
  const unsubscribe = core.subscribe((name: ApiEventName, payload: unknown) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.call);
  };
}
