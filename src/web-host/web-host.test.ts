import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createFakeDesktopCore, FAKE_STATE, type FakeDesktopCore } from '../main/electron/fake-desktop-core';
import { FakeClock } from '../shared/clock';
import { WEB_API_PATH, WEB_TEST_CLOCK_PATH, type WebHostFrame } from '../shared/web-socket-api';
import { startWebHost, WEB_MAX_FRAME_BYTES, type WebHost } from './web-host';

const base = mkdtempSync(path.join(tmpdir(), 'wardline-web-host-'));
const rendererDir = path.join(base, 'renderer');
mkdirSync(rendererDir);
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Wardline</title>');
writeFileSync(path.join(base, 'secret.txt'), 'outside the renderer');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const running: { host: WebHost; sockets: WebSocket[] }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const s of r.sockets) s.terminate();
    await r.host.close();
  }
});

async function start(core: FakeDesktopCore = createFakeDesktopCore(), testClock?: FakeClock) {
  const host = await startWebHost({ core, rendererDir, ...(testClock === undefined ? {} : { testClock: { clock: testClock } }) });
  const entry = { host, sockets: [] as WebSocket[] };
  running.push(entry);
  return { host, core, sockets: entry.sockets };
}

function http(host: WebHost, pathAndQuery: string, options: { method?: string; hostHeader?: string; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: pathAndQuery, method: options.method ?? 'GET', headers: { host: options.hostHeader ?? `127.0.0.1:${host.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens the API socket; resolves with the socket, or the HTTP status it was refused with. */
function connect(ctx: { host: WebHost; sockets: WebSocket[] }, opts: { token?: string | null; origin?: string | null; path?: string } = {}) {
  const token = opts.token === undefined ? ctx.host.token : opts.token;
  const url = `ws://127.0.0.1:${ctx.host.port}${opts.path ?? WEB_API_PATH}${token === null ? '' : `?token=${token}`}`;
  const origin = opts.origin === undefined ? ctx.host.origin : opts.origin;
  const socket = new WebSocket(url, origin === null ? {} : { origin });
  ctx.sockets.push(socket);
  return new Promise<WebSocket | number>((resolve) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => resolve(-1));
  });
}

function nextFrame(socket: WebSocket): Promise<WebHostFrame> {
  return new Promise((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as WebHostFrame)));
}

async function open(ctx: { host: WebHost; sockets: WebSocket[] }): Promise<WebSocket> {
  const socket = await connect(ctx);
  if (typeof socket === 'number') throw new Error(`socket refused: ${socket}`);
  return socket;
}

describe('web host: static files', () => {
  it('binds 127.0.0.1 and prints a URL with a 256-bit token', async () => {
    const { host } = await start();
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    const other = await start();
    expect(other.host.token).not.toBe(host.token);
  });

  it('serves the renderer with the strict CSP (plus its own socket) and hardening headers', async () => {
    const { host } = await start();
    const res = await http(host, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Wardline</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('refuses other Host headers (DNS rebinding), traversal and non-GET methods', async () => {
    const { host } = await start();
    expect((await http(host, '/', { hostHeader: 'evil.example' })).status).toBe(421);
    expect((await http(host, '/', { hostHeader: `localhost:${host.port}` })).status).toBe(421);
    expect((await http(host, '/../secret.txt')).status).toBe(404);
    expect((await http(host, '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await http(host, '/', { method: 'POST' })).status).toBe(405);
  });
});

describe('web host: API socket', () => {
  it('requires the token, our Origin and the API path', async () => {
    const ctx = await start();
    expect(await connect(ctx, { token: null })).toBe(403);
    expect(await connect(ctx, { token: 'A'.repeat(43) })).toBe(403);
    expect(await connect(ctx, { token: ctx.host.token.slice(1) })).toBe(403);
    expect(await connect(ctx, { origin: 'http://evil.example' })).toBe(403);
    expect(await connect(ctx, { origin: `http://localhost:${ctx.host.port}` })).toBe(403);
    expect(await connect(ctx, { origin: null })).toBe(403);
    expect(await connect(ctx, { path: '/other' })).toBe(404);
    expect(ctx.core.subscriberCount).toBe(0);
  });

  it('answers a call with the dispatcher result', async () => {
    const ctx = await start();
    const socket = await open(ctx);
    socket.send(JSON.stringify({ id: 1, method: 'app.getState', input: {} }));
    expect(await nextFrame(socket)).toEqual({ type: 'result', id: 1, result: { ok: true, value: FAKE_STATE } });
  });

  it('validates input and maps errors like the Electron transport', async () => {
    const ctx = await start(
      createFakeDesktopCore({ 'lock.unlock': ({ pin }) => Promise.resolve(pin === '12345' ? { ok: true } : { ok: false, code: 'WRONG_PIN', triesLeft: 2 }) }),
    );
    const socket = await open(ctx);
    socket.send(JSON.stringify({ id: 2, method: 'lock.unlock', input: { pin: '00000' } }));
    expect(await nextFrame(socket)).toEqual({ type: 'result', id: 2, result: { ok: true, value: { ok: false, code: 'WRONG_PIN', triesLeft: 2 } } });
    socket.send(JSON.stringify({ id: 3, method: 'lock.unlock', input: { pin: 'not digits' } }));
    expect(await nextFrame(socket)).toMatchObject({ type: 'result', id: 3, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    socket.send(JSON.stringify({ id: 4, method: 'process.exit' }));
    expect(await nextFrame(socket)).toEqual({ type: 'result', id: 4, result: { ok: false, error: { code: 'UNKNOWN_METHOD' } } });
    socket.send(JSON.stringify({ id: 5, method: 'messages.search', input: { query: 'x' } }));
    expect(await nextFrame(socket)).toEqual({ type: 'result', id: 5, result: { ok: false, error: { code: 'INTERNAL' } } });
  });

  it('answers garbage frames with an error and keeps serving', async () => {
    const ctx = await start();
    const socket = await open(ctx);
    for (const garbage of ['not json', '[]', 'null', '{"method":"app.getState"}', '{"id":-1,"method":"app.getState"}', '{"id":1.5,"method":"app.getState"}']) {
      socket.send(garbage);
      expect(await nextFrame(socket), garbage).toEqual({ type: 'error', code: 'INVALID_INPUT' });
    }
    socket.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(await nextFrame(socket)).toEqual({ type: 'error', code: 'INVALID_INPUT' });
    socket.send(JSON.stringify({ id: 9, method: 'app.getState', extra: true }));
    expect(await nextFrame(socket)).toEqual({ type: 'result', id: 9, result: { ok: false, error: { code: 'INVALID_INPUT', detail: 'frame' } } });
    socket.send(JSON.stringify({ id: 10, method: 'app.getState', input: {} }));
    expect(await nextFrame(socket)).toMatchObject({ type: 'result', id: 10, result: { ok: true } });
    expect(ctx.core.calls.map((c) => c.method)).toEqual(['app.getState']);
  });

  it('closes a socket that sends an oversized frame, and keeps serving others', async () => {
    const ctx = await start();
    const big = await open(ctx);
    const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)));
    big.send('x'.repeat(WEB_MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    const socket = await open(ctx);
    socket.send(JSON.stringify({ id: 1, method: 'app.getState' }));
    expect(await nextFrame(socket)).toMatchObject({ type: 'result', id: 1, result: { ok: true } });
  });

  it('pushes core events and unsubscribes when the socket closes', async () => {
    const ctx = await start();
    const socket = await open(ctx);
    expect(ctx.core.subscriberCount).toBe(1);
    const frame = nextFrame(socket);
    ctx.core.emit('pairing.progress', { step: 'confirming', confirmationCode: '123456' });
    expect(await frame).toEqual({ type: 'event', event: 'pairing.progress', payload: { step: 'confirming', confirmationCode: '123456' } });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
    await expect.poll(() => ctx.core.subscriberCount).toBe(0);
  });
});

describe('web host: test clock (test only)', () => {
  it('does not exist unless enabled', async () => {
    const { host } = await start();
    expect((await http(host, `${WEB_TEST_CLOCK_PATH}?token=${host.token}`, { method: 'POST', body: '{"advanceMs":1}' })).status).toBe(405);
  });

  it('moves the fake clock only with the token and a valid body', async () => {
    const clock = new FakeClock(1_000);
    const { host } = await start(undefined, clock);
    const url = `${WEB_TEST_CLOCK_PATH}?token=${host.token}`;
    expect((await http(host, `${WEB_TEST_CLOCK_PATH}?token=wrong`, { method: 'POST', body: '{"advanceMs":5}' })).status).toBe(403);
    expect((await http(host, url, { method: 'POST', body: '{"advanceMs":5}', hostHeader: 'evil.example' })).status).toBe(421);
    expect((await http(host, url, { method: 'POST', body: '{"advanceMs":-5}' })).status).toBe(400);
    expect((await http(host, url, { method: 'POST', body: 'garbage' })).status).toBe(400);
    expect((await http(host, url, { method: 'POST', body: 'x'.repeat(2000) })).status).toBe(413);
    expect(clock.now()).toBe(1_000);
    const moved = await http(host, url, { method: 'POST', body: '{"advanceMs":21600000}' });
    expect(moved.status).toBe(200);
    expect(JSON.parse(moved.body)).toEqual({ now: 1_000 + 21_600_000 });
    expect(clock.now()).toBe(21_601_000);
  });
});
