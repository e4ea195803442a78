/**
 * The managed `proxy` setting reaches the desktop core's relay WebSocket (docs/deployment.md):
 * through a loopback HTTP CONNECT proxy that counts tunnels, against a real relay process. A URL
 * or "system" (environment here, the Electron resolver in the app) goes through it for the
 * pairing rendezvous and the paired session; "direct" bypasses it; socks5:// works through a
 * minimal SOCKS5 proxy; a dead proxy is an unavailable relay, not a crash.
 */
import { createServer, type Server } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { relayAgentSource, type RelayAgentSource } from '../src/main/core/config/relay-proxy';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import { coreApiCaller, recordCoreEvents } from './support/core-api';

const logger = createCoreLogger({ level: 'silent' });

/** An HTTP CONNECT proxy on 127.0.0.1 that tunnels only to loopback and records each tunnel's target. */
async function countingProxy(): Promise<{ server: Server; url: string; targets: string[]; close(): Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    const target = req.url ?? '';
    const m = /^127\.0\.0\.1:(\d+)$/.exec(target);
    if (!m) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    targets.push(target);
    const upstream = netConnect(Number(m[1]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    targets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A minimal SOCKS5 proxy (no authentication, CONNECT to 127.0.0.1 only) that records each target port. */
async function countingSocks5(): Promise<{ url: string; ports: number[]; close(): Promise<void> }> {
  const ports: number[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.once('data', (greeting: Buffer) => {
      if (greeting[0] !== 5) {
        client.destroy();
        return;
      }
      client.write(Buffer.from([5, 0]));
      client.once('data', (req: Buffer) => {
        // VER CMD RSV ATYP=1 (IPv4) ADDR(4) PORT(2)
        if (req[0] !== 5 || req[1] !== 1 || req[3] !== 1 || req.subarray(4, 8).join('.') !== '127.0.0.1') {
          client.end(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
          return;
        }
        const port = req.readUInt16BE(8);
        ports.push(port);
        const upstream = netConnect(port, '127.0.0.1', () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `socks5://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ports,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let relay: RelayProcess;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
const cores: DesktopCore[] = [];
const phones: CompanionPhone[] = [];

beforeAll(async () => {
  relay = await spawnRelay();
  proxy = await countingProxy();
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const p of phones.splice(0)) await p.close();
  Reflect.deleteProperty(process.env, 'HTTP_PROXY');
  Reflect.deleteProperty(process.env, 'NO_PROXY');
});
afterAll(async () => {
  await proxy.close();
  await relay.stop();
});

async function desktop(relayAgent: RelayAgentSource) {
  const core = await createDesktopCore({ dataDir: mkdtempSync(join(tmpdir(), 'wardline-proxy-')), relayUrl: relay.url, logger, relayAgent });
  cores.push(core);
  return { core, call: coreApiCaller(() => core, logger), events: recordCoreEvents(core) };
}

const relayTarget = () => `127.0.0.1:${new URL(relay.url).port}`;

describe('the core’s relay connection and the proxy setting (real relay, loopback CONNECT proxy)', () => {
  it('a proxy URL carries the pairing rendezvous and the paired session', async () => {
    const before = proxy.targets.length;
    const d = await desktop(relayAgentSource(proxy.url));
    const offer = await d.call('pairing.start', {});
    expect(proxy.targets.length).toBeGreaterThan(before);
    const phone = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Proxy', profession: '' } });
    phones.push(phone);
    await phone.pairDesktop(offer.url, { approve: () => true });
    await d.events.waitFor('state.changed', (s) => s.phase === 'ready', { timeoutMs: 15_000 });
    // The rendezvous and the device session each opened a tunnel, all to the relay.
    expect(proxy.targets.length - before).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.targets.slice(before))).toEqual(new Set([relayTarget()]));
    expect((await d.call('app.getState', {})).relayConnected).toBe(true);
  }, 30_000);

  it('"system" follows HTTP_PROXY and NO_PROXY in the web host; "direct" bypasses the proxy', async () => {
    process.env.HTTP_PROXY = proxy.url;
    let before = proxy.targets.length;
    const viaEnv = await desktop(relayAgentSource('system'));
    await viaEnv.call('pairing.start', {});
    expect(proxy.targets.length).toBe(before + 1);

    process.env.NO_PROXY = '127.0.0.1';
    before = proxy.targets.length;
    const excluded = await desktop(relayAgentSource('system'));
    await excluded.call('pairing.start', {});
    expect(proxy.targets.length).toBe(before);

    Reflect.deleteProperty(process.env, 'NO_PROXY');
    before = proxy.targets.length;
    const direct = await desktop(relayAgentSource('direct'));
    await direct.call('pairing.start', {});
    expect(proxy.targets.length).toBe(before);
  }, 30_000);

  it('"system" with the shell’s resolver (as in Electron) goes where the resolver says', async () => {
    const before = proxy.targets.length;
    const asked: string[] = [];
    const port = new URL(proxy.url).port;
    const d = await desktop(relayAgentSource('system', { resolveSystem: (u) => (asked.push(u), Promise.resolve(`PROXY 127.0.0.1:${port}; DIRECT`)) }));
    await d.call('pairing.start', {});
    expect(proxy.targets.length).toBe(before + 1);
    expect(asked[0]).toBe(relay.url.replace(/^ws:/, 'http:'));
  }, 30_000);

  it('a socks5:// proxy carries the relay connection too', async () => {
    const socks = await countingSocks5();
    try {
      const d = await desktop(relayAgentSource(socks.url));
      await d.call('pairing.start', {});
      expect(socks.ports).toEqual([Number(new URL(relay.url).port)]);
    } finally {
      await socks.close();
    }
  }, 30_000);

  it('a dead proxy shows as an unavailable relay and the core keeps working', async () => {
    const dead = await countingProxy();
    const deadUrl = dead.url;
    await dead.close();
    const d = await desktop(relayAgentSource(deadUrl));
    await expect(d.call('pairing.start', {})).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' });
    const state = await d.call('app.getState', {});
    expect(state.phase).toBe('pairing');
    expect(state.relayConnected).toBe(false);
    // A resolver that fails is the same: no silent direct connection.
    const broken = await desktop(relayAgentSource('system', { resolveSystem: () => Promise.reject(new Error('no PAC')) }));
    await expect(broken.call('pairing.start', {})).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' });
  }, 30_000);
});
