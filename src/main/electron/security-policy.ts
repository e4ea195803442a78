/**
 * The decisions behind the Electron security checklist, as plain functions so they are tested
 * without the Electron binary. The shell (window.ts, web-contents-guard.ts, ipc-transport.ts)
 * only wires them to Electron events.
 */
import type { WebPreferences } from 'electron';

/** The privileged scheme the packaged UI is served from (app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'wardline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}

/**
 * `scheme://host[:port]` of a URL, or undefined. Not `URL.origin`: for a custom scheme such as
 * `app:` that is the opaque string "null", which would make every custom-scheme page look alike.
 */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') return undefined;
    if (parsed.host === '') return undefined;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

/** An IPC message is served only when it comes from a frame showing our own page. */
export function isTrustedSender(frameUrl: string | undefined, trustedOrigin: string): boolean {
  return originOf(frameUrl) === trustedOrigin;
}

/** The UI is a single page: the only navigation allowed is (re)loading our own origin. */
export function isAllowedNavigation(url: string, trustedOrigin: string): boolean {
  return originOf(url) === trustedOrigin;
}

export interface PermissionRequestFacts {
  /** URL of the frame asking (Electron's `details.requestingUrl` / `requestingOrigin`). */
  readonly requestingUrl: string | undefined;
  /** For `media`: which devices are wanted (`details.mediaTypes`). */
  readonly mediaTypes?: readonly string[] | undefined;
}

/**
 * Every permission is refused except the camera for the in-app camera: `media` asking for video
 * only (never the microphone), from our own page.
 */
export function permissionDecision(permission: string, facts: PermissionRequestFacts, trustedOrigin: string): boolean {
  if (permission !== 'media') return false;
  if (originOf(facts.requestingUrl) !== trustedOrigin) return false;
  const types = facts.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** Synchronous permission checks (`setPermissionCheckHandler`) follow the same rule. */
export function permissionCheckDecision(permission: string, requestingOrigin: string, mediaType: string | undefined, trustedOrigin: string): boolean {
  return permissionDecision(permission, { requestingUrl: requestingOrigin, mediaTypes: mediaType === undefined ? [] : [mediaType] }, trustedOrigin);
}
