import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  isAllowedNavigation,
  isTrustedSender,
  originOf,
  permissionCheckDecision,
  permissionDecision,
  secureWebPreferences,
} from './security-policy';

describe('secureWebPreferences', () => {
  it('turns on isolation and the sandbox and turns off Node, webviews and insecure content', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs', { devTools: false });
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      devTools: false,
    });
  });
});

describe('originOf', () => {
  it('keeps scheme and host of custom schemes (URL.origin would say "null")', () => {
    expect(originOf(APP_ENTRY_URL)).toBe(APP_ORIGIN);
    expect(originOf('http://localhost:5173/src/x.ts')).toBe('http://localhost:5173');
  });
  it('refuses empty, malformed, host-less and credential-carrying URLs', () => {
    expect(originOf(undefined)).toBeUndefined();
    expect(originOf('')).toBeUndefined();
    expect(originOf('not a url')).toBeUndefined();
    expect(originOf('file:///etc/passwd')).toBeUndefined();
    expect(originOf('app://user:pw@wardline/')).toBeUndefined();
  });
});

describe('isTrustedSender', () => {
  it('accepts frames showing our own page', () => {
    expect(isTrustedSender('app://wardline/index.html', APP_ORIGIN)).toBe(true);
    expect(isTrustedSender('app://wardline/index.html#/chat', APP_ORIGIN)).toBe(true);
  });
  it('refuses other origins, look-alikes, file URLs and missing frames', () => {
    for (const url of ['app://evil/index.html', 'app://wardline.evil/', 'https://wardline/', 'file:///app/out/renderer/index.html', 'about:blank', 'data:text/html,hi', undefined]) {
      expect(isTrustedSender(url, APP_ORIGIN), String(url)).toBe(false);
    }
  });
});

describe('isAllowedNavigation', () => {
  it('allows only reloading our own origin', () => {
    expect(isAllowedNavigation('app://wardline/index.html', APP_ORIGIN)).toBe(true);
    expect(isAllowedNavigation('https://example.org/', APP_ORIGIN)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', APP_ORIGIN)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', APP_ORIGIN)).toBe(false);
  });
});

describe('permissionDecision', () => {
  const own = { requestingUrl: 'app://wardline/index.html' };
  it('allows the camera (video only) for our own page', () => {
    expect(permissionDecision('media', { ...own, mediaTypes: ['video'] }, APP_ORIGIN)).toBe(true);
  });
  it('refuses the microphone, unspecified media and media for other origins', () => {
    expect(permissionDecision('media', { ...own, mediaTypes: ['audio'] }, APP_ORIGIN)).toBe(false);
    expect(permissionDecision('media', { ...own, mediaTypes: ['video', 'audio'] }, APP_ORIGIN)).toBe(false);
    expect(permissionDecision('media', { ...own, mediaTypes: [] }, APP_ORIGIN)).toBe(false);
    expect(permissionDecision('media', own, APP_ORIGIN)).toBe(false);
    expect(permissionDecision('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] }, APP_ORIGIN)).toBe(false);
  });
  it('refuses every other permission, even for our own page', () => {
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'openExternal', 'fullscreen', 'midi', 'hid', 'serial', 'usb']) {
      expect(permissionDecision(permission, own, APP_ORIGIN), permission).toBe(false);
    }
  });
  it('applies the same rule to synchronous permission checks', () => {
    expect(permissionCheckDecision('media', APP_ORIGIN, 'video', APP_ORIGIN)).toBe(true);
    expect(permissionCheckDecision('media', APP_ORIGIN, 'audio', APP_ORIGIN)).toBe(false);
    expect(permissionCheckDecision('media', APP_ORIGIN, undefined, APP_ORIGIN)).toBe(false);
    expect(permissionCheckDecision('geolocation', APP_ORIGIN, undefined, APP_ORIGIN)).toBe(false);
  });
});
