/**
 * The desktop core end to end through a real relay process: QR pairing with companion phone A,
 * messages from phone B, replies seen by B and (own-device sync) by A, restart with history kept
 * by the re-paired key, the 6-hour end (the core's own timer, then the relay's close), and a
 * remote wipe. Finally the data directory and the logs are searched for planted plaintext.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import type { AppState } from '../src/shared/api';
import { DESKTOP_SESSION_MS, MINUTE_MS, PAIRING_OFFER_ROTATION_MS, SESSION_WARNING_MS } from '../src/shared/limits';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { ManualTimers } from '../src/main/core/scheduling/manual-timers';
import { CompanionPhone } from '../src/phone/companion-phone';
import { formatRecoveryCode } from '../src/shared/backup/recovery-code';
import { coreApiCaller, recordCoreEvents, type CoreApiCall, type RecordedEvents } from './support/core-api';
import { filesUnder } from './support/files-under';
import { OffsetClock } from './support/offset-clock';

const PLANTED_IN = 'PLANTED-inbound-Jansen-bed-12-potassium';
const PLANTED_OUT = 'PLANTED-reply-give-20mmol-KCl';
const PLANTED_SYNC = 'PLANTED-phone-side-note-ward-4';

interface Harness extends RecordedEvents {
  core: DesktopCore;
  call: CoreApiCall;
}

let relay: RelayProcess;
let dataDir: string;
let phoneA: CompanionPhone;
let phoneB: CompanionPhone;
const clock = new OffsetClock();
const timers = new ManualTimers(clock);
const logLines: string[] = [];
const logger = createCoreLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _e, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
});

async function startCore(): Promise<Harness> {
  const core = await createDesktopCore({ dataDir, relayUrl: relay.url, workstationName: 'Ward 4 nursing station', clock, timers, logger });
  return { core, call: coreApiCaller(() => core, logger), ...recordCoreEvents(core) };
}

/** The whole QR flow: offer on the desktop, scan and approve on phone A (codes compared). */
async function pair(h: Harness): Promise<AppState> {
  const from = h.events.length;
  const offer = await h.call('pairing.start', {});
  expect(offer.url).toMatch(/^wardline:\/\/p\//);
  const confirming = h.waitFor('pairing.progress', (p) => p.step === 'confirming', { from });
  const linked = phoneA.pairDesktop(offer.url, {
    approve: async (req) => {
      const shown = await confirming;
      return req.desktopName === 'Ward 4 nursing station' && req.confirmationCode === shown.confirmationCode;
    },
  });
  await linked;
  await h.waitFor('pairing.progress', (p) => p.step === 'completed', { from });
  const state = await h.call('app.getState', {});
  expect(state.phase).toBe('ready');
  return state;
}

beforeAll(async () => {
  relay = await spawnRelay({ args: ['--test-clock'] });
  dataDir = mkdtempSync(join(tmpdir(), 'wardline-desktop-e2e-'));
  phoneA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Anna Visser', profession: 'Internal medicine' } });
  phoneB = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Nurse Bram de Vries', profession: 'Nursing' } });
});

afterAll(async () => {
  await phoneA?.close();
  await phoneB?.close();
  await relay?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('desktop core through a real relay', () => {
  let h: Harness;
  let conversationWithB = '';

  it('rotates the offer while the pairing screen is open; a replaced offer no longer pairs', async () => {
    h = await startCore();
    expect((await h.call('app.getState', {})).phase).toBe('pairing');
    await expect(h.call('conversations.list', {})).rejects.toMatchObject({ code: 'NOT_PAIRED' });
    const from = h.events.length;
    const first = await h.call('pairing.start', {});
    expect(await h.call('pairing.start', {})).toEqual(first);
    timers.advance(PAIRING_OFFER_ROTATION_MS);
    const second = await h.waitFor('pairing.offer', () => true, { from });
    expect(second.url).not.toBe(first.url);
    await expect(phoneA.pairDesktop(first.url, { approve: () => true })).rejects.toBeDefined();
    // A phone user who declines: the desktop reports it and shows a fresh offer.
    const beforeReject = h.events.length;
    await expect(phoneA.pairDesktop(second.url, { approve: () => false })).rejects.toMatchObject({ code: 'REJECTED' });
    const failed = await h.waitFor('pairing.progress', (p) => p.step === 'failed', { from: beforeReject });
    expect(failed.errorCode).toBe('REJECTED');
    const third = await h.waitFor('pairing.offer', () => true, { from: beforeReject });
    expect(third.url).not.toBe(second.url);
    await h.call('pairing.cancel', {});
    expect((await h.call('app.getState', {})).phase).toBe('pairing');
    expect(phoneA.linkedDesktops).toHaveLength(0);
  });

  it('pairs with phone A through the QR URL', async () => {
    const state = await pair(h);
    expect(state.account?.accountId).toBe(phoneA.accountId);
    expect(state.account?.displayName).toBe('Dr. Anna Visser');
    expect(state.relayConnected).toBe(true);
    expect(state.session!.endsAt - state.session!.authorisedAt).toBeLessThanOrEqual(DESKTOP_SESSION_MS);
  });

  it('starts a conversation only with a registered account other than its own', async () => {
    const started = await h.call('conversations.start', { accountId: phoneB.accountId });
    expect(started).toMatchObject({ peerAccountId: phoneB.accountId, unread: 0 });
    await expect(h.call('conversations.start', { accountId: phoneA.accountId })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(h.call('conversations.start', { accountId: '0'.repeat(32) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.call('conversations.start', { accountId: 'not-an-id' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('receives what phone B sends to A, and the reply reaches B and (as a copy) A', async () => {
    const idIn = await phoneB.sendText(phoneA.accountId, PLANTED_IN);
    const added = await h.waitFor('message.added', (m) => m.id === idIn);
    expect(added).toMatchObject({ direction: 'in', body: PLANTED_IN, senderAccountId: phoneB.accountId });
    // The sender's name comes from its signed profile at the relay, looked up on first contact.
    await h.waitFor('conversations.changed', () => true);
    let withB = (await h.call('conversations.list', {})).find((c) => c.peerAccountId === phoneB.accountId)!;
    for (let i = 0; i < 50 && withB.title !== 'Nurse Bram de Vries'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      withB = (await h.call('conversations.list', {})).find((c) => c.peerAccountId === phoneB.accountId)!;
    }
    expect(withB).toMatchObject({ title: 'Nurse Bram de Vries', unread: 1, verification: { identity: false, registration: false } });
    expect((await h.call('contacts.list', {})).map((c) => c.displayName)).toContain('Nurse Bram de Vries');
    conversationWithB = withB.id;
    // B gets a delivery receipt from the desktop.
    await phoneB.waitForMessage((m) => m.content.kind === 'receipt' && m.content.receipt === 'delivered' && m.content.ids.includes(idIn), 10_000);

    const reply = await h.call('messages.send', { conversationId: conversationWithB, text: PLANTED_OUT });
    // Phone B acknowledges delivery at once, so its receipt may already have landed when send returns.
    expect(['sent', 'delivered']).toContain(reply.state);
    const atB = await phoneB.waitForMessage((m) => m.content.kind === 'text' && m.content.body === PLANTED_OUT, 10_000);
    expect(atB.from).toBe(phoneA.accountId);
    const atA = await phoneA.waitForMessage((m) => m.content.kind === 'text' && m.content.body === PLANTED_OUT, 10_000);
    expect(atA.ownCopy).toBe(true);

    await h.call('conversations.markRead', { conversationId: conversationWithB });
    await phoneB.waitForMessage((m) => m.content.kind === 'receipt' && m.content.receipt === 'read' && m.content.ids.includes(idIn), 10_000);
    await phoneB.sendReceipt(phoneA.accountId, 'read', [reply.id as never]);
    await h.waitFor('message.updated', (m) => m.id === reply.id && m.state === 'read');
  });

  it('shows what phone A sent from the phone as outgoing on the desktop (own-device sync)', async () => {
    const id = await phoneA.sendText(phoneB.accountId, PLANTED_SYNC);
    const added = await h.waitFor('message.added', (m) => m.id === id);
    expect(added).toMatchObject({ direction: 'out', conversationId: conversationWithB, body: PLANTED_SYNC });
    const hits = await h.call('messages.search', { query: 'potassium' });
    expect(hits.map((x) => x.conversationId)).toContain(conversationWithB);
  });

  it('keeps history across a restart: the re-pair hands back the same database key', async () => {
    await h.core.close();
    // While closed: no plaintext anywhere under the data directory.
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      for (const planted of [PLANTED_IN, PLANTED_OUT, PLANTED_SYNC, 'Bram de Vries', phoneA.backupCode]) expect(bytes.includes(planted), file).toBe(false);
    }
    h = await startCore();
    await pair(h);
    const page = await h.call('messages.page', { conversationId: conversationWithB });
    expect(page.messages.map((m) => m.body)).toEqual(expect.arrayContaining([PLANTED_IN, PLANTED_OUT, PLANTED_SYNC]));
  });

  it('the PIN lock works while paired', async () => {
    await expect(h.call('lock.setPin', { pin: '12345' })).rejects.toMatchObject({ code: 'PIN_POLICY' });
    await h.call('lock.setPin', { pin: '27415' });
    await h.call('lock.lockNow', {});
    expect((await h.call('app.getState', {})).phase).toBe('locked');
    await expect(h.call('conversations.list', {})).rejects.toMatchObject({ code: 'LOCKED' });
    expect(await h.call('lock.unlock', { pin: '11112' })).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
    expect(await h.call('lock.unlock', { pin: '27415' })).toEqual({ ok: true });
    expect((await h.call('app.getState', {})).phase).toBe('ready');
  });

  it('shows the Backup & Restore code the phone shared at pairing, behind the PIN (memory only)', async () => {
    await expect(h.call('security.getKey', { pin: '11112' })).rejects.toMatchObject({ code: 'WRONG_PIN' });
    const key = await h.call('security.getKey', { pin: '27415' });
    expect(key).toEqual({ available: true, groups: formatRecoveryCode(phoneA.backupCode).split('-'), downloadAllowed: true });
  });

  it('ends the session after 6 hours by its own clock: warning, then back to pairing; a re-pair restores access', async () => {
    const from = h.events.length;
    timers.advance(DESKTOP_SESSION_MS - SESSION_WARNING_MS);
    await h.waitFor('session.warning', () => true, { from, timeoutMs: 1000 });
    expect(h.events.slice(from).some((e) => e.event === 'state.changed' && (e.payload as AppState).phase === 'pairing')).toBe(false);
    timers.advance(SESSION_WARNING_MS + MINUTE_MS);
    await h.waitFor('state.changed', (s) => s.phase === 'pairing', { from });
    await expect(h.call('messages.page', { conversationId: conversationWithB })).rejects.toMatchObject({ code: 'NOT_PAIRED' });
    await pair(h);
    const page = await h.call('messages.page', { conversationId: conversationWithB });
    expect(page.messages.length).toBeGreaterThanOrEqual(3);
  });

  it('ends the session when the relay closes it at its own 6-hour limit', async () => {
    const from = h.events.length;
    await relay.advanceClock(DESKTOP_SESSION_MS + MINUTE_MS);
    const state = await h.waitFor('state.changed', (s) => s.phase === 'pairing', { from });
    expect(state.account).toBeUndefined();
    expect(logLines.join('').includes('"reason":"SESSION_EXPIRED"')).toBe(true);
    await pair(h);
  });

  it('session.logoutAndWipe deletes the account files; a re-pair starts again from the phone snapshot', async () => {
    const accountDir = join(dataDir, 'accounts', phoneA.accountId);
    expect(existsSync(accountDir)).toBe(true);
    await h.call('session.logoutAndWipe', {});
    expect((await h.call('app.getState', {})).phase).toBe('pairing');
    expect(existsSync(accountDir)).toBe(false);
    await pair(h);
    expect(existsSync(join(accountDir, 'wardline.db'))).toBe(true);
    // The phone's bounded snapshot brings recent conversations back.
    const conversations = await h.call('conversations.list', {});
    expect(conversations.map((c) => c.peerAccountId)).toContain(phoneB.accountId);
  });

  it('a remote wipe from phone A deletes the database and attachments', async () => {
    const accountDir = join(dataDir, 'accounts', phoneA.accountId);
    expect(existsSync(join(accountDir, 'wardline.db'))).toBe(true);
    const desktop = phoneA.linkedDesktops.at(-1)!;
    const from = h.events.length;
    await phoneA.revokeDesktop(desktop.deviceId);
    await h.waitFor('state.changed', (s) => s.phase === 'pairing', { from });
    await h.core.close();
    expect(existsSync(accountDir)).toBe(false);
  });

  it('never wrote planted plaintext to the data directory or the logs', () => {
    const everything = [...filesUnder(dataDir).map((f) => readFileSync(f).toString('latin1')), ...logLines, relay.logs()].join('\n');
    for (const planted of [PLANTED_IN, PLANTED_OUT, PLANTED_SYNC, phoneA.backupCode]) expect(everything.includes(planted)).toBe(false);
    expect(logLines.length).toBeGreaterThan(0);
  });
});
