/**
 * The web transport: serves the built renderer and bridges `window.wardline` to the core's API
 * handlers over a WebSocket, for tests and demos in a plain browser. Bound to 127.0.0.1 only;
 * every socket needs the random 256-bit token from the printed URL and our own Origin.
 * Not a second product: no TLS, no accounts, one workstation core.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { DispatchLogger } from '../main/core/api/dispatch';
import type { DesktopCore } from '../main/core/desktop-core';
import { readRendererAsset } from '../main/electron/renderer-assets';
import { toBase64Url } from '../shared/bytes';
import { contentSecurityPolicy } from '../shared/content-security-policy';
import { ATTACHMENT_API_MAX_BYTES } from '../shared/limits';
import { WEB_API_PATH, WEB_TEST_CLOCK_PATH } from '../shared/web-socket-api';
import { serveApiSocket } from './api-socket';
import { isOwnHost, socketRefusal, tokenMatches, type LoopbackIdentity } from './loopback-guard';
import { handleTestClock, type TestClockControl } from './test-clock-endpoint';

export const WEB_HOST_ADDRESS = '127.0.0.1';
/**
 * Large enough for the biggest API call — an attachment of ATTACHMENT_API_MAX_BYTES sent as base64
 * inside JSON (4/3 of its size, plus the frame around it) — and no larger, to bound memory.
 */
export const WEB_MAX_FRAME_BYTES = Math.ceil((ATTACHMENT_API_MAX_BYTES * 4) / 3) + 64 * 1024;

export interface WebHostOptions {
  readonly core: DesktopCore;
  /** The built renderer, normally `out/renderer`. */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** TEST ONLY: expose the test clock endpoint. */
  readonly testClock?: TestClockControl;
  readonly log?: DispatchLogger;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/?token=…`: the only way in. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = toBase64Url(randomBytes(32));
  // Known once the port is: until then nothing is served.
  const bound: { identity?: LoopbackIdentity; csp: string } = { csp: '' };

  const server = createServer((request, response) => {
    if (bound.identity === undefined) return void response.writeHead(503).end();
    handleHttp(request, response, bound.identity, bound.csp, options).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: WEB_MAX_FRAME_BYTES, perMessageDeflate: false });
  sockets.on('connection', (socket) => serveApiSocket(socket, options.core, options.log));

  server.on('upgrade', (request: IncomingMessage, stream: Duplex, head: Buffer) => {
    const refusal = bound.identity === undefined ? 'NOT_FOUND' : socketRefusal(request, WEB_API_PATH, bound.identity);
    if (refusal !== undefined) {
      options.log?.warn({ transport: 'web', refusal }, 'api socket refused');
      stream.end(`HTTP/1.1 ${refusal === 'NOT_FOUND' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, stream, head, (socket) => sockets.emit('connection', socket, request));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, WEB_HOST_ADDRESS, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${WEB_HOST_ADDRESS}:${port}`;
  bound.identity = { host: `${WEB_HOST_ADDRESS}:${port}`, origin, token };
  bound.csp = contentSecurityPolicy({ delivery: 'header', connectSrc: [`ws://${WEB_HOST_ADDRESS}:${port}`] });

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleHttp(request: IncomingMessage, response: ServerResponse, id: LoopbackIdentity, csp: string, options: WebHostOptions): Promise<void> {
  if (!isOwnHost(request.headers.host, id)) return void response.writeHead(421).end();
  const url = new URL(request.url ?? '/', id.origin);

  if (url.pathname === WEB_TEST_CLOCK_PATH && options.testClock !== undefined) {
    if (request.method !== 'POST') return void response.writeHead(405).end();
    if (!tokenMatches(url.searchParams.get('token'), id.token)) return void response.writeHead(403).end();
    return handleTestClock(request, response, options.testClock);
  }

  if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405).end();
  const asset = await readRendererAsset(options.rendererDir, url.pathname);
  if (asset === undefined) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  response.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': asset.body.length,
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // The token is in the page URL: never send it anywhere as a referrer.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : asset.body);
}
