/**
 * Locks down every web contents the app creates: no navigation away from our page, no new
 * windows, no <webview>, and permissions refused except the camera (security-policy.ts).
 */
import type { Session, WebContents } from 'electron';
import { downloadDecision } from './download-policy';
import { isAllowedNavigation, permissionCheckDecision, permissionDecision } from './security-policy';

export function guardWebContents(contents: WebContents, trustedOrigin: string): void {
  const blockForeign = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, trustedOrigin)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => blockForeign(event, event.url));
  contents.on('will-frame-navigate', (event) => blockForeign(event, event.url));
  contents.on('will-redirect', (event) => blockForeign(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function applyPermissionPolicy(session: Session, trustedOrigin: string, options: { kiosk: boolean } = { kiosk: true }): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(permissionDecision(permission, { requestingUrl: details.requestingUrl, mediaTypes }, trustedOrigin));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    permissionCheckDecision(permission, requestingOrigin, 'mediaType' in details ? details.mediaType : undefined, trustedOrigin),
  );
  // Downloads are not a feature of the app, except the security key's text file (download-policy.ts).
  session.on('will-download', (event, item) => {
    if (downloadDecision({ url: item.getURL(), mimeType: item.getMimeType() }, trustedOrigin, options) === 'block') event.preventDefault();
    else item.setSaveDialogOptions({ defaultPath: item.getFilename(), filters: [{ name: 'Text', extensions: ['txt'] }] });
  });
}
