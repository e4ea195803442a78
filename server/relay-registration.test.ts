/**
 * The new-account limit through a real (in-process) relay: the client sees REGISTRATION_LIMITED,
 * its connection stays usable, and the address is the one --trust-proxy decides on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeClock } from '../src/shared/clock';
import { HOUR_MS } from '../src/shared/limits';
import { rejectedCode } from '../src/shared/testing/error-code';
import { RelayClient } from '../src/shared/wire/relay-client';
import { createLogger } from './logging';
import { startRelay, type RunningRelay } from './relay';
import { TestAccount } from './testing/fixtures';

const running: { relay: RunningRelay; dir: string; clients: RelayClient[] }[] = [];
afterEach(async () => {
  for (const { relay, dir, clients } of running.splice(0)) {
    for (const c of clients) c.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function relayWith(options: { trustProxy: boolean }) {
  const clock = new FakeClock();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-registration-'));
  const relay = await startRelay(
    { host: '127.0.0.1', port: 0, dataDir: dir, synchronous: 'normal', newAccountsBurst: 1, newAccountsPerHour: 1, trustProxy: options.trustProxy },
    { clock, logger: createLogger('silent') },
  );
  const clients: RelayClient[] = [];
  running.push({ relay, dir, clients });
  /** A client whose upgrade request carries this X-Forwarded-For header. */
  const client = async (forwardedFor: string) => {
    const c = await RelayClient.connect({ url: relay.url, connect: (u) => new WebSocket(u, { headers: { 'x-forwarded-for': forwardedFor } }), requestTimeoutMs: 10_000 });
    clients.push(c);
    return c;
  };
  return { clock, client };
}

function account(): TestAccount {
  const a = new TestAccount();
  a.addDevice('phone');
  return a;
}

describe('new-account limit at the relay', () => {
  it('answers REGISTRATION_LIMITED, stores nothing, and keeps the connection open', async () => {
    const { clock, client } = await relayWith({ trustProxy: false });
    const c = await client('203.0.113.1');
    const first = account();
    expect(await c.publishDeviceList(first.nextList())).toEqual({ version: 1 });
    const refused = account();
    const refusedList = refused.nextList();
    expect(await rejectedCode(c.publishDeviceList(refusedList))).toBe('REGISTRATION_LIMITED');
    expect(await c.getDeviceList(refused.accountId)).toBeNull();
    // The same connection goes on: updating the existing account is not limited...
    first.addDevice('desktop');
    expect(await c.publishDeviceList(first.nextList())).toEqual({ version: 2 });
    // ...and after an hour (1 per hour here) the same list, sent again, is accepted.
    clock.advance(HOUR_MS);
    expect(await c.publishDeviceList(refusedList)).toEqual({ version: 1 });
  });

  it('ignores X-Forwarded-For without --trust-proxy: every client is the socket address', async () => {
    const { client } = await relayWith({ trustProxy: false });
    expect(await (await client('203.0.113.1')).publishDeviceList(account().nextList())).toEqual({ version: 1 });
    expect(await rejectedCode((await client('203.0.113.2')).publishDeviceList(account().nextList()))).toBe('REGISTRATION_LIMITED');
  });

  it('with --trust-proxy limits the address the proxy appended last, not what the client claimed before it', async () => {
    const { client } = await relayWith({ trustProxy: true });
    expect(await (await client('10.9.9.9, 203.0.113.1')).publishDeviceList(account().nextList())).toEqual({ version: 1 });
    expect(await (await client('203.0.113.2')).publishDeviceList(account().nextList())).toEqual({ version: 1 });
    // A forged first hop does not make a new address: the proxy's entry (last) is the same.
    expect(await rejectedCode((await client('198.51.100.50, 203.0.113.1')).publishDeviceList(account().nextList()))).toBe('REGISTRATION_LIMITED');
    expect(await rejectedCode((await client('203.0.113.2')).publishDeviceList(account().nextList()))).toBe('REGISTRATION_LIMITED');
  });
});
