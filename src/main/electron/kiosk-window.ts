/**
 * Holds the window in kiosk mode (decisions in kiosk-policy.ts): blocks escape keys, refuses a
 * user's close, closes developer tools if anything opens them, keeps the window in front (dialogs it opens
 * itself stay above it).
 */
import type { BrowserWindow } from 'electron';
import { isKioskEscapeKey, mayCloseWindow } from './kiosk-policy';

/** Returns `allowClose()`, which the app calls when it quits for real. */
export function holdKioskWindow(window: BrowserWindow): { allowClose(): void } {
  let quitting = false;
  window.on('close', (event) => {
    if (!mayCloseWindow(true, quitting)) event.preventDefault();
  });
  window.webContents.on('before-input-event', (event, input) => {
    if (isKioskEscapeKey(input)) event.preventDefault();
  });
  window.webContents.on('devtools-opened', () => window.webContents.closeDevTools());
  window.on('leave-full-screen', () => window.setKiosk(true));
  window.setAlwaysOnTop(true, 'screen-saver');
  return {
    allowClose() {
      quitting = true;
    },
  };
}
