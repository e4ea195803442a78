/**
 * The Electron main process: wires the desktop core to the hardened shell. Decisions live in
 * src/main/electron/*.ts (tested without Electron); this file only connects them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, Notification, session, type BrowserWindow } from 'electron';
import { contentSecurityPolicy } from '../shared/content-security-policy';
import { createConfigErrorCore } from './core/config/config-error-core';
import { relayAgentSource } from './core/config/relay-proxy';
import { createDesktopCore, type DesktopCore } from './core/desktop-core';
import { createCoreLogger } from './core/logging';
import { registerAppScheme, serveRendererFromAppScheme } from './electron/app-protocol';
import { serveApiOverIpc } from './electron/ipc-transport';
import { holdKioskWindow } from './electron/kiosk-window';
import { electronProxyConfig, loadLaunchConfig } from './electron/launch-options';
import { createMainWindow } from './electron/main-window';
import { showMessageNotifications } from './electron/notifications';
import { APP_ENTRY_URL, APP_ORIGIN, originOf } from './electron/security-policy';
import { applyPermissionPolicy, guardWebContents } from './electron/web-contents-guard';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = createCoreLogger();
const launch = loadLaunchConfig({ argv: process.argv, env: process.env, platform: process.platform, packaged: app.isPackaged });
// A bad configuration still honours --kiosk: the error screen must not be an escape from the kiosk.
const kiosk = launch.ok ? launch.config.kiosk : process.argv.includes('--kiosk');

app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start().catch((err: unknown) => {
    log.fatal({ errName: err instanceof Error ? err.name : typeof err }, 'desktop failed to start');
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  // `npm run dev` only: electron-vite sets this for an unpackaged app; production serves app://.
  const devServer = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const trustedOrigin = (devServer === undefined ? undefined : originOf(devServer)) ?? APP_ORIGIN;

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, trustedOrigin));
  applyPermissionPolicy(session.defaultSession, trustedOrigin, { kiosk });
  serveRendererFromAppScheme(session.defaultSession, path.join(here, '../renderer'));
  if (devServer !== undefined) {
    const devCsp = contentSecurityPolicy({ delivery: 'header', devServer: trustedOrigin });
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [devCsp] } });
    });
  }

  let core: DesktopCore;
  if (launch.ok) {
    const config = launch.config;
    log.info({ sources: config.sources }, 'workstation configuration');
    await session.defaultSession.setProxy(electronProxyConfig(config.proxy));
    core = await createDesktopCore({
      dataDir: path.join(app.getPath('userData'), 'workstation'),
      relayUrl: config.relayUrl,
      kiosk: config.kiosk,
      kioskIdleLogoutMs: config.kioskIdleLogoutMs,
      privacyScreenMs: config.privacyScreenMs,
      allowedLanguages: config.allowedLanguages,
      ...(config.authorityKey === undefined ? {} : { authorityKey: config.authorityKey }),
      logger: log,
      ...(config.workstationName === undefined ? {} : { workstationName: config.workstationName }),
      // The core's relay WebSocket is Node's, outside the session proxy: same setting, and for
      // "system" the session's own resolver (OS settings, PAC) answers for the relay URL.
      relayAgent: relayAgentSource(config.proxy, { resolveSystem: (url) => session.defaultSession.resolveProxy(url) }),
    });
  } else {
    log.error({ code: launch.error.code, file: launch.managedPath }, 'workstation configuration refused');
    core = createConfigErrorCore(launch.error.code, { kiosk });
  }
  const window = createMainWindow({ preloadPath: path.join(here, '../preload/index.cjs'), kiosk, devTools: !app.isPackaged && !kiosk });
  const kioskHold = kiosk ? holdKioskWindow(window) : null;
  const focus = (): void => focusWindow(window);

  const stopIpc = serveApiOverIpc({ ipcMain, core, window, trustedOrigin, log });
  const stopNotifications = Notification.isSupported()
    ? await showMessageNotifications(core, (options) => new Notification(options), focus)
    : () => undefined;
  app.on('second-instance', focus);
  app.on('window-all-closed', () => app.quit());

  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    kioskHold?.allowClose();
    stopNotifications();
    stopIpc();
    // Purges keys and closes the database before the process goes.
    core.close().catch(() => undefined).finally(() => app.quit());
  });

  await window.loadURL(devServer ?? APP_ENTRY_URL);
}

function focusWindow(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.focus();
}
