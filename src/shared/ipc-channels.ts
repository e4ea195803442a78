/**
 * The two channels that carry the `window.wardline` contract (src/shared/api.ts) between the
 * sandboxed preload and the main process. One place, imported by both ends, so they cannot drift.
 * Which methods and events exist is not listed here: that is the contract's one table.
 */
export const IPC_CHANNELS = {
  /** renderer → main, `ipcRenderer.invoke(call, method, input)` → `ApiResult`. */
  call: 'wardline:call',
  /** main → renderer, `webContents.send(event, name, payload)`. */
  event: 'wardline:event',
} as const;
