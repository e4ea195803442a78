/**
 * Ward workstations end to end through a real relay process and real companion phones:
 * - kiosk: every log-out wipes the person's account directory (by hand, idle log-out after the
 *   countdown, and the relay's 6-hour session end);
 * - shared workstation (the default): two people pair one after another on one data directory,
 *   each database opens only with that person's key from their phone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import type { ApiEventName, ApiEventPayload } from '../src/shared/api';
import { DESKTOP_SESSION_MS, KIOSK_IDLE_LOGOUT_MIN_MS, KIOSK_IDLE_LOGOUT_MS, KIOSK_LOGOUT_COUNTDOWN_MS, MINUTE_MS, SECOND_MS } from '../src/shared/limits';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { ManualTimers } from '../src/main/core/scheduling/manual-timers';
import { openAccountStore } from '../src/main/core/store/account-store';
import { loadWorkstationIdentity } from '../src/main/core/workstation/workstation-identity';
import { CompanionPhone } from '../src/phone/companion-phone';
import { loadPhoneState } from '../src/phone/phone-state';
import { coreApiCaller, recordCoreEvents, type CoreApiCall, type RecordedEvents } from './support/core-api';
import { OffsetClock } from './support/offset-clock';

const logger = createCoreLogger({ level: process.env.KIOSK_TEST_LOG ? 'debug' : 'silent' });
const IDLE_MS = KIOSK_IDLE_LOGOUT_MIN_MS;

interface Harness {
  readonly core: DesktopCore;
  readonly clock: OffsetClock;
  readonly timers: ManualTimers;
  readonly dataDir: string;
  readonly events: RecordedEvents['events'];
  call: CoreApiCall;
  waitFor<E extends ApiEventName>(event: E, predicate: (p: ApiEventPayload<E>) => boolean, from?: number): Promise<ApiEventPayload<E>>;
}

let relay: RelayProcess;
const dirs: string[] = [];
const phones: CompanionPhone[] = [];
const cores: DesktopCore[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function newPhone(displayName: string, dataDir?: string): Promise<CompanionPhone> {
  const phone = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName, profession: 'Pharmacy' }, ...(dataDir ? { dataDir } : {}) });
  phones.push(phone);
  return phone;
}

async function startCore(options: { kiosk: boolean; dataDir: string }): Promise<Harness> {
  const clock = new OffsetClock();
  const timers = new ManualTimers(clock);
  const core = await createDesktopCore({
    dataDir: options.dataDir,
    relayUrl: relay.url,
    workstationName: 'Pharmacy counter',
    kiosk: options.kiosk,
    kioskIdleLogoutMs: IDLE_MS,
    clock,
    timers,
    logger,
  });
  cores.push(core);
  const { events, waitFor } = recordCoreEvents(core);
  return { core, clock, timers, dataDir: options.dataDir, events, call: coreApiCaller(() => core, logger), waitFor: (event, predicate, from = 0) => waitFor(event, predicate, { from }) };
}

async function pair(h: Harness, phone: CompanionPhone): Promise<void> {
  const from = h.events.length;
  const offer = await h.call('pairing.start', {});
  const confirming = h.waitFor('pairing.progress', (p) => p.step === 'confirming', from);
  await phone.pairDesktop(offer.url, { approve: async (req) => req.confirmationCode === (await confirming).confirmationCode });
  await h.waitFor('pairing.progress', (p) => p.step === 'completed', from);
  expect((await h.call('app.getState', {})).phase).toBe('ready');
}

const accountDir = (h: Harness, phone: CompanionPhone) => join(h.dataDir, 'accounts', phone.accountId);

beforeAll(async () => {
  relay = await spawnRelay({ args: ['--test-clock'] });
});

afterAll(async () => {
  for (const core of cores) await core.close().catch(() => undefined);
  for (const phone of phones) await phone.close().catch(() => undefined);
  await relay?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('kiosk workstation', () => {
  let h: Harness;
  let phone: CompanionPhone;

  beforeAll(async () => {
    h = await startCore({ kiosk: true, dataDir: tempDir('wardline-kiosk-') });
    phone = await newPhone('Dr. Kiosk');
  });

  it('wipes the account directory on an ordinary log-out ("Switch user")', async () => {
    const state = await h.call('app.getState', {});
    expect(state.kiosk).toBe(true);
    expect(state.policy?.kioskIdleLogoutMs).toBe(IDLE_MS);
    await pair(h, phone);
    expect(existsSync(accountDir(h, phone))).toBe(true);
    await h.call('session.logout', {});
    expect((await h.call('app.getState', {})).phase).toBe('pairing');
    expect(existsSync(accountDir(h, phone))).toBe(false);
  });

  it('counts down after idle time, activity cancels the countdown, then idle log-out wipes', async () => {
    await pair(h, phone);
    const from = h.events.length;
    h.timers.advance(IDLE_MS - KIOSK_LOGOUT_COUNTDOWN_MS);
    const countdown = await h.waitFor('session.idleLogout', (p) => p.logoutAt !== null, from);
    // The offset clock also moves with real time, by a few milliseconds here.
    expect(countdown.logoutAt! - h.clock.now()).toBeGreaterThan(KIOSK_LOGOUT_COUNTDOWN_MS - SECOND_MS);
    expect(countdown.logoutAt! - h.clock.now()).toBeLessThanOrEqual(KIOSK_LOGOUT_COUNTDOWN_MS);

    h.timers.advance(30 * SECOND_MS);
    await h.call('session.activity', {});
    await h.waitFor('session.idleLogout', (p) => p.logoutAt === null, from);
    // The full idle time starts again from the activity: nothing happens at the old deadline.
    h.timers.advance(KIOSK_LOGOUT_COUNTDOWN_MS);
    expect((await h.call('app.getState', {})).phase).toBe('ready');
    expect(existsSync(accountDir(h, phone))).toBe(true);

    const before = h.events.length;
    h.timers.advance(IDLE_MS);
    await h.waitFor('state.changed', (s) => s.phase === 'pairing', before);
    await expect(h.call('conversations.list', {})).rejects.toMatchObject({ code: 'NOT_PAIRED' });
    expect(existsSync(accountDir(h, phone))).toBe(false);
  });

  it('also runs the idle log-out while locked', async () => {
    await pair(h, phone);
    await h.call('lock.setPin', { pin: '27415' });
    await h.call('lock.lockNow', {});
    expect((await h.call('app.getState', {})).phase).toBe('locked');
    const from = h.events.length;
    h.timers.advance(IDLE_MS + MINUTE_MS);
    await h.waitFor('state.changed', (s) => s.phase === 'pairing', from);
    expect(existsSync(accountDir(h, phone))).toBe(false);
  });

  it('wipes when the relay ends the 6-hour session', async () => {
    await pair(h, phone);
    const from = h.events.length;
    await relay.advanceClock(DESKTOP_SESSION_MS + MINUTE_MS);
    await h.waitFor('state.changed', (s) => s.phase === 'pairing', from);
    for (let i = 0; i < 50 && existsSync(accountDir(h, phone)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(accountDir(h, phone))).toBe(false);
  });

  it('ignores activity reports while nobody is paired', async () => {
    await expect(h.call('session.activity', {})).resolves.toBeNull();
  });
});

describe('managed policy in the core', () => {
  it('keeps the language within the allowed ones and publishes the policy in the app state', async () => {
    const dataDir = tempDir('wardline-policy-');
    const core = await createDesktopCore({ dataDir, relayUrl: relay.url, allowedLanguages: ['nl', 'fr'], privacyScreenMs: 20 * SECOND_MS, logger });
    cores.push(core);
    const state = await core.handlers['app.getState']({});
    expect(state.settings.language).toBe('nl');
    expect(state.policy).toEqual({ allowedLanguages: ['nl', 'fr'], privacyScreenMs: 20 * SECOND_MS, kioskIdleLogoutMs: KIOSK_IDLE_LOGOUT_MS });
    await expect(core.handlers['settings.update']({ language: 'en' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(core.handlers['settings.update']({ language: 'fr' })).resolves.toMatchObject({ language: 'fr' });
  });
});

describe('shared workstation (default mode)', () => {
  it('keeps two people in separate databases, each readable only with that person\'s key', async () => {
    const dataDir = tempDir('wardline-shared-');
    const h = await startCore({ kiosk: false, dataDir });
    const phoneDirA = tempDir('wardline-phone-a-');
    const phoneDirB = tempDir('wardline-phone-b-');
    const anna = await newPhone('Dr. Anna Visser', phoneDirA);
    const bram = await newPhone('Nurse Bram de Vries', phoneDirB);

    await pair(h, anna);
    await h.call('session.logout', {});
    await pair(h, bram);
    await h.call('session.logout', {});
    // A plain log-out keeps both encrypted databases on the workstation.
    expect(existsSync(join(accountDir(h, anna), 'wardline.db'))).toBe(true);
    expect(existsSync(join(accountDir(h, bram), 'wardline.db'))).toBe(true);
    for (const phone of [anna, bram]) {
      expect(readFileSync(join(accountDir(h, phone), 'wardline.db')).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    }

    const { workstationId } = await loadWorkstationIdentity(dataDir);
    const keyA = loadPhoneState(phoneDirA).databaseKeys[workstationId];
    const keyB = loadPhoneState(phoneDirB).databaseKeys[workstationId];
    expect(keyA).toBeDefined();
    expect(keyB).toBeDefined();
    const open = (accountId: typeof anna.accountId, key: Uint8Array) => openAccountStore({ dataDir, accountId, key, clock: h.clock });

    open(anna.accountId, keyA!).close();
    open(bram.accountId, keyB!).close();
    expect(() => open(anna.accountId, keyB!)).toThrow(expect.objectContaining({ code: 'WRONG_KEY' }) as Error);
    expect(() => open(bram.accountId, keyA!)).toThrow(expect.objectContaining({ code: 'WRONG_KEY' }) as Error);
  });
});
