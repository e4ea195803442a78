/**
 * After a restore on a new phone (docs/protocol.md §16), through a real relay process: the
 * contact's phone and desktop show "<name> is using a new phone" (not a safety-number block),
 * their next messages reach the restored phone, the restored phone's messages reach them, and the
 * account's old desktop ends its session with "pair again" and its data for that account wiped.
 * A desktop dropped from the list without a signed wipe order also ends, but keeps its sealed data.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { storePaths } from '../src/main/core/store/store-paths';
import { CompanionPhone } from '../src/phone/companion-phone';
import { accountOf, signOwnDeviceList } from '../src/phone/phone-account';
import { loadPhoneState } from '../src/phone/phone-state';
import { TEST_KDF_PARAMS } from '../src/shared/backup/test-kdf';
import { systemClock } from '../src/shared/clock';
import { RelayClient } from '../src/shared/wire/relay-client';
import type { AccountId } from '../src/shared/protocol/ids';
import { coreApiCaller, recordCoreEvents, type CoreApiCall, type RecordedEvents } from './support/core-api';

const logger = createCoreLogger({ level: 'silent' });
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

let relay: RelayProcess;
const phones: CompanionPhone[] = [];
const cores: DesktopCore[] = [];

interface Desktop {
  core: DesktopCore;
  call: CoreApiCall;
  events: RecordedEvents;
  dataDir: string;
}

async function pairedDesktop(phone: CompanionPhone, name: string): Promise<Desktop> {
  const dataDir = tmp('wardline-notice-desk-');
  const core = await createDesktopCore({ dataDir, relayUrl: relay.url, workstationName: name, logger });
  cores.push(core);
  const call = coreApiCaller(() => core, logger);
  const events = recordCoreEvents(core);
  const offer = await call('pairing.start', {});
  await phone.pairDesktop(offer.url, { approve: () => true });
  await events.waitFor('state.changed', (s) => s.phase === 'ready', { timeoutMs: 15_000 });
  return { core, call, events, dataDir };
}

beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(async () => {
  for (const c of cores) await c.close().catch(() => undefined);
  for (const p of phones) await p.close().catch(() => undefined);
  await relay.stop();
});

describe('a contact restores the account on a new phone (real relay, phones, desktop cores)', () => {
  it('shows "is using a new phone", delivers both ways, and makes the old desktop pair again', async () => {
    const alice = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Alice', profession: 'GP' }, dataDir: tmp('wardline-alice-'), backupKdf: TEST_KDF_PARAMS });
    const bob = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Bob', profession: 'Nurse' }, dataDir: tmp('wardline-bob-') });
    phones.push(alice, bob);
    const aliceDesk = await pairedDesktop(alice, 'Ward 4');
    const bobDesk = await pairedDesktop(bob, 'Ward 9');
    const aliceId: AccountId = alice.accountId;

    // A conversation on both sides: Alice writes, Bob's phone and desktop get it, Bob answers.
    const first = await alice.sendText(bob.accountId, 'before the new phone');
    await bob.waitForMessage((m) => m.content.kind === 'text' && m.content.id === first, 10_000);
    await bobDesk.events.waitFor('message.added', (m) => m.id === first);
    await bob.sendText(aliceId, 'reply before');
    await alice.waitForMessage((m) => m.content.kind === 'text' && m.content.body === 'reply before', 10_000);
    alice.keepMessage(first);
    await alice.backUp();
    const conversationBefore = (await bobDesk.call('conversations.list', {})).find((c) => c.peerAccountId === aliceId)!;
    expect(conversationBefore.deviceNotices ?? []).toEqual([]);

    const aliceDeskEvents = aliceDesk.events.events.length;
    const restored = await CompanionPhone.restore({
      relayUrl: relay.url,
      accountId: aliceId,
      code: alice.backupCode,
      dataDir: tmp('wardline-alice-new-'),
      backupKdf: TEST_KDF_PARAMS,
      minimumKdf: TEST_KDF_PARAMS,
    });
    phones.push(restored);

    // Alice's old desktop: session over, told to pair again, her data there wiped.
    const ended = await aliceDesk.events.waitFor('state.changed', (s) => s.phase === 'pairing', { from: aliceDeskEvents, timeoutMs: 15_000 });
    const after = await aliceDesk.call('app.getState', {});
    expect(after.ended).toEqual({ reason: 'DEVICE_REMOVED', wiped: true });
    expect(ended.account).toBeUndefined();
    expect(existsSync(storePaths(aliceDesk.dataDir, aliceId).dbPath)).toBe(false);

    // Bob's phone and desktop show the notice (the restored phone announced itself).
    const notice = await bob.waitForDeviceNotice(aliceId, 15_000);
    expect(notice.kind).toBe('new-phone');
    await bobDesk.events.waitFor('conversations.changed', () => true, { timeoutMs: 15_000 });
    let conversation = conversationBefore;
    for (let i = 0; i < 100 && !(conversation.deviceNotices ?? []).length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      conversation = (await bobDesk.call('conversations.list', {})).find((c) => c.peerAccountId === aliceId)!;
    }
    expect(conversation.deviceNotices?.map((n) => n.kind)).toEqual(['new-phone']);
    // Same identity key: no safety-number block, Bob can write at once.
    expect(conversation.safetyNumberChanged).toBe(false);

    // Bob's next messages (phone and desktop) reach the restored phone.
    await bob.sendText(aliceId, 'from bob phone after');
    await restored.waitForMessage((m) => m.content.kind === 'text' && m.content.body === 'from bob phone after', 15_000);
    const sent = await bobDesk.call('messages.send', { conversationId: conversation.id, text: 'from bob desk after' });
    // The restored phone may already have acknowledged it by the time send returns.
    expect(['sent', 'delivered']).toContain(sent.state);
    await restored.waitForMessage((m) => m.content.kind === 'text' && m.content.body === 'from bob desk after', 15_000);

    // And the restored phone's messages reach Bob.
    const back = await restored.sendText(bob.accountId, 'from the new phone');
    await bob.waitForMessage((m) => m.content.kind === 'text' && m.content.id === back, 15_000);
    await bobDesk.events.waitFor('message.added', (m) => m.id === back, { timeoutMs: 15_000 });

    // Exactly one notice: later traffic is no news.
    const final = (await bobDesk.call('conversations.list', {})).find((c) => c.peerAccountId === aliceId)!;
    expect(final.deviceNotices).toHaveLength(1);
    expect(bob.deviceNotices.filter((n) => n.accountId === aliceId)).toHaveLength(1);
  }, 90_000);

  it('a desktop dropped from its account’s list without a wipe order ends its session but keeps its sealed data', async () => {
    const dataDir = tmp('wardline-carol-');
    const carol = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Carol', profession: '' }, dataDir });
    phones.push(carol);
    const desk = await pairedDesktop(carol, 'Ward 2');
    const before = desk.events.events.length;
    // The account (signing with its identity, as a phone would) publishes a list without the
    // desktop and sends no wipe: the relay revokes the device; only a signed order may erase data.
    const state = loadPhoneState(dataDir);
    state.otherDevices = {};
    state.deviceListVersion++;
    const client = await RelayClient.connect({ url: relay.url, connect: (u) => new WebSocket(u, { perMessageDeflate: false }) });
    await client.publishDeviceList(signOwnDeviceList(state, accountOf(state), systemClock), []);
    client.close();
    await desk.events.waitFor('state.changed', (s) => s.phase === 'pairing', { from: before, timeoutMs: 15_000 });
    expect((await desk.call('app.getState', {})).ended).toEqual({ reason: 'DEVICE_REMOVED', wiped: false });
    expect(existsSync(storePaths(desk.dataDir, carol.accountId).dbPath)).toBe(true);
  }, 60_000);
});
