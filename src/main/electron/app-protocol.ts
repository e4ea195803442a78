/**
 * Serves the packaged renderer from `app://wardline/` (a privileged, standard, secure scheme),
 * so production never loads a dev server or `file://` URL, and every response carries the CSP.
 */
import { protocol, type Session } from 'electron';
import { contentSecurityPolicy } from '../../shared/content-security-policy';
import { readRendererAsset } from './renderer-assets';
import { APP_HOST, APP_SCHEME } from './security-policy';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, allowServiceWorkers: false, bypassCSP: false } },
  ]);
}

export function serveRendererFromAppScheme(session: Session, rendererDir: string): void {
  const csp = contentSecurityPolicy({ delivery: 'header' });
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const asset = url.host === APP_HOST && request.method === 'GET' ? await readRendererAsset(rendererDir, url.pathname) : undefined;
    if (asset === undefined) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(new Uint8Array(asset.body), {
      headers: {
        'content-type': asset.contentType,
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  });
}
