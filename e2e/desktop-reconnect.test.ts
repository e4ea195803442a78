/**
 * The paired desktop survives a relay restart: it notices the drop (relayConnected false),
 * reconnects and re-authenticates by itself, and envelopes queued while it was away arrive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import type { ApiEventName, AppState, Message } from '../src/shared/api';
import { dispatchApiCall } from '../src/main/core/api/dispatch';
import { createDesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';

const dirs: string[] = [];
let relay: RelayProcess | undefined;
const phones: CompanionPhone[] = [];
afterAll(async () => {
  for (const p of phones) await p.close().catch(() => undefined);
  await relay?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

it('reconnects after a relay restart and receives what was queued meanwhile', async () => {
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'wardline-reconnect-'));
    dirs.push(d);
    return d;
  };
  const relayData = tmp();
  const phoneAData = tmp();
  const phoneBData = tmp();
  relay = await spawnRelay({ dataDir: relayData });
  const port = relay.port;
  const phoneA = await CompanionPhone.create({ relayUrl: relay.url, dataDir: phoneAData, profile: { displayName: 'Dr. A', profession: '' } });
  const phoneB = await CompanionPhone.create({ relayUrl: relay.url, dataDir: phoneBData, profile: { displayName: 'Dr. B', profession: '' } });
  phones.push(phoneA, phoneB);

  const core = await createDesktopCore({ dataDir: tmp(), relayUrl: relay.url, logger: createCoreLogger({ level: 'silent' }) });
  let state: AppState | undefined;
  const added: Message[] = [];
  const seen: ApiEventName[] = [];
  core.subscribe((event, payload) => {
    seen.push(event);
    if (event === 'state.changed') state = payload as AppState;
    if (event === 'message.added') added.push(payload as Message);
  });
  const offer = await dispatchApiCall(core.handlers, 'pairing.start', {});
  if (!offer.ok) throw new Error(offer.error.code);
  await phoneA.pairDesktop((offer.value as { url: string }).url, { approve: () => true });
  await until(() => state?.phase === 'ready' && state.relayConnected, 'paired');

  await phoneA.close();
  await phoneB.close();
  await relay.stop('SIGTERM');
  await until(() => state?.relayConnected === false, 'the drop to be noticed');
  expect(state?.phase).toBe('ready');

  relay = await spawnRelay({ dataDir: relayData, port });
  const b = await CompanionPhone.open({ dataDir: phoneBData, relayUrl: relay.url });
  phones.push(b);
  const id = await b.sendText(phoneA.accountId, 'while you were away');
  await until(() => state?.relayConnected === true, 'the reconnect');
  await until(() => added.some((m) => m.id === id), 'the queued message');
  expect(added.find((m) => m.id === id)).toMatchObject({ direction: 'in', senderAccountId: b.accountId });
  await core.close();
}, 60_000);
