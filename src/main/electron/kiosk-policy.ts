/**
 * Kiosk decisions as plain functions (tested without Electron); kiosk-window.ts wires them.
 * The app can hold its own window and keys; the OS keeps its own (Ctrl+Alt+Del, Alt+Tab,
 * the Windows key): those need the OS's kiosk/assigned-access mode, see docs/deployment.md.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** Window options on top of the normal ones: full screen, no frame to close, move or resize. */
export function kioskWindowOptions(): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    closable: false,
    minimizable: false,
    maximizable: false,
    resizable: false,
    movable: false,
    fullscreenable: false,
    autoHideMenuBar: true,
    skipTaskbar: false,
  };
}

/** What `before-input-event` tells about a key press (a subset of Electron's Input). */
export interface KeyInput {
  readonly type: string;
  readonly key: string;
  readonly control: boolean;
  readonly alt: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
}

/**
 * Key presses that would leave the kiosk or expose more than the app: closing or quitting,
 * leaving full screen, new windows, developer tools and page source, reload (drops the
 * renderer's state mid-countdown), printing (paper leaves the ward with patient data), and
 * saving the page.
 */
export function isKioskEscapeKey(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const command = input.control || input.meta;
  if (key === 'F4' && (input.alt || input.control)) return true;
  if (key === 'F11' || key === 'F12' || key === 'F5') return true;
  if (input.alt && (key === ' ' || key === 'Tab')) return false; // OS-level; cannot be blocked here
  if (!command) return false;
  if (['q', 'w', 'n', 't', 'r', 'p', 's', 'o', 'u', 'h', 'm'].includes(key)) return true;
  if (input.shift && ['i', 'j', 'c', 'k'].includes(key)) return true;
  if (input.meta && input.alt && key === 'i') return true;
  return false;
}

/** The window refuses to close unless the app itself is quitting (an update, a shutdown). */
export function mayCloseWindow(kiosk: boolean, appQuitting: boolean): boolean {
  return !kiosk || appQuitting;
}
