/**
 * The renderer's Content-Security-Policy, one source for every place it is applied: the `<meta>`
 * injected into the built index.html (electron.vite.config.ts), the header of Electron's `app://`
 * protocol and the header of the loopback web host. The built UI needs its own scripts, styles,
 * fonts, images (QR canvas → data/blob URLs), camera preview (blob), the PDF.js worker (a file of
 * our own build, hence `worker-src 'self'`; no blob: or data: workers) and its own API socket: no more.
 */
export interface CspOptions {
  /** Extra `connect-src` sources, e.g. the web host's own `ws://127.0.0.1:PORT`. */
  readonly connectSrc?: readonly string[];
  /** `frame-ancestors` only works in a header; browsers warn about it in a `<meta>`. */
  readonly delivery: 'header' | 'meta';
  /** The Vite dev server injects `<style>` elements and talks HMR over a socket (npm run dev only). */
  readonly devServer?: string;
}

export function contentSecurityPolicy(options: CspOptions): string {
  const dev = options.devServer;
  const devSocket = dev === undefined ? [] : [dev.replace(/^http/, 'ws')];
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", ...(dev === undefined ? [] : ["'unsafe-inline'"])],
    ['img-src', "'self'", 'blob:', 'data:'],
    ['font-src', "'self'"],
    ['media-src', "'self'", 'blob:'],
    ['connect-src', "'self'", ...(options.connectSrc ?? []), ...devSocket],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'self'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ];
  if (options.delivery === 'header') directives.push(['frame-ancestors', "'none'"]);
  return directives.map((d) => d.join(' ')).join('; ');
}
