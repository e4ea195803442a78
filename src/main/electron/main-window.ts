/**
 * The one application window: hardened web preferences, content protection (kept out of
 * screenshots and screen sharing where the OS allows), no menu in kiosk mode.
 */
import { BrowserWindow, Menu } from 'electron';
import { kioskWindowOptions } from './kiosk-policy';
import { secureWebPreferences } from './security-policy';

export interface MainWindowOptions {
  readonly preloadPath: string;
  readonly kiosk: boolean;
  readonly devTools: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    kiosk: options.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    title: 'Wardline',
    webPreferences: secureWebPreferences(options.preloadPath, { devTools: options.devTools }),
    ...(options.kiosk ? kioskWindowOptions() : {}),
  });
  window.setContentProtection(true);
  if (options.kiosk) {
    Menu.setApplicationMenu(null);
    window.setMenu(null);
  }
  window.once('ready-to-show', () => window.show());
  return window;
}
