import { describe, expect, it } from 'vitest';
import { isKioskEscapeKey, kioskWindowOptions, mayCloseWindow, type KeyInput } from './kiosk-policy';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key: k, control: false, alt: false, meta: false, shift: false, ...mods });

describe('kiosk policy', () => {
  it('makes the window full screen and impossible to close, move or resize from its frame', () => {
    expect(kioskWindowOptions()).toMatchObject({ kiosk: true, fullscreen: true, closable: false, minimizable: false, resizable: false, movable: false, frame: false });
  });

  it('blocks the keys that close, quit, reload, print, open tools or leave full screen', () => {
    for (const blocked of [
      key('F4', { alt: true }),
      key('w', { control: true }),
      key('W', { control: true, shift: true }),
      key('q', { meta: true }),
      key('r', { control: true }),
      key('F5'),
      key('F11'),
      key('F12'),
      key('i', { control: true, shift: true }),
      key('j', { control: true, shift: true }),
      key('i', { meta: true, alt: true }),
      key('u', { control: true }),
      key('p', { control: true }),
      key('n', { control: true }),
      key('h', { meta: true }),
      key('m', { meta: true }),
    ]) {
      expect(isKioskEscapeKey(blocked), JSON.stringify(blocked)).toBe(true);
    }
  });

  it('lets typing, copy and paste, undo and Escape (dialogs) through', () => {
    for (const allowed of [key('a'), key('W', { shift: true }), key('c', { control: true }), key('v', { control: true }), key('z', { control: true }), key('a', { control: true }), key('Escape'), key('Enter'), key('Tab')]) {
      expect(isKioskEscapeKey(allowed), JSON.stringify(allowed)).toBe(false);
    }
    expect(isKioskEscapeKey({ ...key('w', { control: true }), type: 'keyUp' })).toBe(false);
  });

  it('lets the window close only when the app itself quits, in kiosk mode', () => {
    expect(mayCloseWindow(true, false)).toBe(false);
    expect(mayCloseWindow(true, true)).toBe(true);
    expect(mayCloseWindow(false, false)).toBe(true);
  });
});
