import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../src/shared/bytes';
import { RENDEZVOUS_TTL_MS } from '../src/shared/limits';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { openClient } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ args: ['--test-clock', '--auth-timeout-ms', '1500'] });
});
afterAll(async () => {
  await relay.stop();
});

const channelId = () => toBase64Url(randomBytes(16));
const nextMessage = (client: RelayClient) =>
  new Promise<Uint8Array>((resolve) => {
    const off = client.on('rendezvous-message', (m) => {
      off();
      resolve(m.message);
    });
  });
const nextClose = (client: RelayClient) => new Promise<string>((resolve) => client.on('rendezvous-closed', (e) => resolve(e.reason)));

describe('pairing rendezvous (real relay process)', () => {
  it('forwards opaque messages both ways between exactly two unauthenticated parties', async () => {
    const id = channelId();
    const desktop = await openClient(relay.url);
    const phone = await openClient(relay.url);
    const peerJoined = new Promise<void>((resolve) => desktop.on('rendezvous-peer', () => resolve()));
    expect(await desktop.openRendezvous(id)).toBe(1);
    expect(await phone.openRendezvous(id)).toBe(2);
    await peerJoined;

    const toDesktop = nextMessage(desktop);
    await phone.sendRendezvous(id, new Uint8Array([1, 2, 3]));
    expect([...(await toDesktop)]).toEqual([1, 2, 3]);
    const toPhone = nextMessage(phone);
    await desktop.sendRendezvous(id, new Uint8Array([4]));
    expect([...(await toPhone)]).toEqual([4]);

    const third = await openClient(relay.url);
    await expect(third.openRendezvous(id)).rejects.toMatchObject({ code: 'RENDEZVOUS_FULL' });

    // One-shot: once the pairing closes it, the id is dead for everyone.
    const phoneSawClose = nextClose(phone);
    desktop.closeRendezvous(id);
    expect(await phoneSawClose).toBe('closed');
    await expect(phone.sendRendezvous(id, new Uint8Array([5]))).rejects.toMatchObject({ code: 'RENDEZVOUS_CLOSED' });
    await expect(third.openRendezvous(id)).rejects.toMatchObject({ code: 'RENDEZVOUS_CLOSED' });
    for (const c of [desktop, phone, third]) c.close();
  });

  it('holds messages sent before the peer joins, and tells a party when the other leaves', async () => {
    const id = channelId();
    const desktop = await openClient(relay.url);
    await desktop.openRendezvous(id);
    await desktop.sendRendezvous(id, new Uint8Array([9]));
    const phone = await openClient(relay.url);
    const early = nextMessage(phone);
    await phone.openRendezvous(id);
    expect([...(await early)]).toEqual([9]);
    const left = nextClose(desktop);
    phone.close();
    expect(await left).toBe('peer-left');
    desktop.close();
  });

  it('expires a channel after its TTL', async () => {
    const id = channelId();
    const desktop = await openClient(relay.url);
    await desktop.openRendezvous(id);
    const expired = nextClose(desktop);
    await relay.advanceClock(RENDEZVOUS_TTL_MS);
    expect(await expired).toBe('expired');
    const phone = await openClient(relay.url);
    await expect(phone.openRendezvous(id)).rejects.toMatchObject({ code: 'RENDEZVOUS_CLOSED' });
    desktop.close();
    phone.close();
  });

  it('bounds message size, message count and channel creation', async () => {
    const id = channelId();
    const desktop = await openClient(relay.url);
    await desktop.openRendezvous(id);
    await expect(desktop.sendRendezvous(id, new Uint8Array(64 * 1024))).rejects.toMatchObject({ code: 'MALFORMED' });
    let refused = '';
    for (let i = 0; i < 40 && !refused; i++) {
      await desktop.sendRendezvous(id, new Uint8Array([i])).catch((e: unknown) => (refused = (e as { code: string }).code));
    }
    expect(refused).toBe('RATE_LIMITED');
    // Channel creation per connection and per address is limited.
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const c = await openClient(relay.url);
      codes.push(await c.openRendezvous(channelId()).then(() => 'ok', (e: unknown) => (e as { code: string }).code));
      c.close();
    }
    expect(codes).toContain('RATE_LIMITED');
    desktop.close();
  });
});
