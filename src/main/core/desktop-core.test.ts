import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_METHOD_NAMES, type ApiEventName } from '../../shared/api';
import { FakeClock } from '../../shared/clock';
import { dispatchApiCall } from './api/dispatch';
import { createDesktopCore } from './desktop-core';
import { createCoreLogger } from './logging';
import { ManualTimers } from './scheduling/manual-timers';
import { WORKSTATION_FILE } from './workstation/workstation-identity';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function core(options: { name?: string; kiosk?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-core-'));
  dirs.push(dataDir);
  const clock = new FakeClock();
  const c = await createDesktopCore({
    dataDir,
    // Nothing listens on the discard port: every relay use fails fast.
    relayUrl: 'ws://127.0.0.1:9',
    clock,
    timers: new ManualTimers(clock),
    logger: createCoreLogger({ level: 'silent' }),
    ...(options.name ? { workstationName: options.name } : {}),
    ...(options.kiosk ? { kiosk: true } : {}),
  });
  const events: ApiEventName[] = [];
  c.subscribe((e) => events.push(e));
  return { c, dataDir, events, call: (method: string, input: unknown = {}) => dispatchApiCall(c.handlers, method, input) };
}

describe('createDesktopCore before pairing', () => {
  it('has a handler for every method of the contract', async () => {
    const { c } = await core();
    for (const name of API_METHOD_NAMES) expect(typeof c.handlers[name]).toBe('function');
    await c.close();
  });

  it('starts in the pairing phase with the workstation name and kiosk flag', async () => {
    const { c, call } = await core({ name: 'Ward 4 nursing station', kiosk: true });
    const state = await call('app.getState');
    expect(state).toMatchObject({ ok: true, value: { phase: 'pairing', workstationName: 'Ward 4 nursing station', kiosk: true, relayConnected: false } });
    await c.close();
  });

  it('refuses every account method with NOT_PAIRED', async () => {
    const { c, call } = await core();
    const refused = [
      ['conversations.list', {}],
      ['conversations.start', { accountId: 'a'.repeat(32) }],
      ['messages.page', { conversationId: 'x' }],
      ['messages.send', { conversationId: 'x', text: 'hello' }],
      ['messages.search', { query: 'x' }],
      ['contacts.list', {}],
      ['lock.setPin', { pin: '27415' }],
      ['lock.unlock', { pin: '27415' }],
      ['lock.lockNow', {}],
    ] as const;
    for (const [method, input] of refused) expect(await call(method, input), method).toEqual({ ok: false, error: { code: 'NOT_PAIRED' } });
    await c.close();
  });

  it('reports an unreachable relay as RELAY_UNAVAILABLE when pairing starts', async () => {
    const { c, call } = await core();
    expect(await call('pairing.start')).toEqual({ ok: false, error: { code: 'RELAY_UNAVAILABLE' } });
    expect(await call('pairing.cancel')).toEqual({ ok: true, value: null });
    await c.close();
  });

  it('persists settings in the workstation file and publishes the new state', async () => {
    const { c, call, dataDir, events } = await core();
    const result = await call('settings.update', { language: 'nl', notifications: 'convenient' });
    expect(result).toEqual({ ok: true, value: { language: 'nl', notifications: 'convenient', privacyReveal: 'click' } });
    expect(events).toContain('state.changed');
    expect(JSON.parse(readFileSync(join(dataDir, WORKSTATION_FILE), 'utf8'))).toMatchObject({ settings: { language: 'nl' } });
    expect(await call('settings.update', { language: 'xx' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await c.close();
  });

  it('logout when not paired is harmless', async () => {
    const { c, call } = await core();
    expect(await call('session.logout')).toEqual({ ok: true, value: null });
    expect(await call('session.logoutAndWipe')).toEqual({ ok: true, value: null });
    expect(await call('app.getState')).toMatchObject({ value: { phase: 'pairing' } });
    await c.close();
  });
});
