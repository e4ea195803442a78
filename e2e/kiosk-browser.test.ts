/**
 * Kiosk mode and managed configuration in a real browser: the real renderer in Chromium against
 * the web host (a real core, `--kiosk --test-clock`), a real relay and a companion phone. The
 * idle countdown appears, "I am still here" cancels it, the idle log-out returns to the pairing
 * screen with the account directory wiped; a bad managed file shows the translated error screen.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { KIOSK_IDLE_LOGOUT_MS, KIOSK_LOGOUT_COUNTDOWN_MS, SECOND_MS } from '../src/shared/limits';
import { CompanionPhone } from '../src/phone/companion-phone';
import { ensureFreshBuild } from './browser/fresh-build';
import { spawnWebHost, type WebHostProcess } from './browser/web-host-process';
import { DESKTOP_VIEWPORT, launchChromium } from './support/chromium';

const UI_TIMEOUT = 20 * SECOND_MS;
let relay: RelayProcess | undefined;
let browser: Browser | undefined;
let phone: CompanionPhone | undefined;
const hosts: WebHostProcess[] = [];
const configDir = mkdtempSync(path.join(tmpdir(), 'wardline-kiosk-browser-'));

async function openPage(host: WebHostProcess): Promise<Page> {
  const page = await browser!.newPage({ viewport: DESKTOP_VIEWPORT });
  await page.goto(host.url);
  return page;
}

/** Moves the core's clock (and its time-rule timers) through the web host's test endpoint. */
async function advanceCore(host: WebHostProcess, ms: number): Promise<void> {
  const url = new URL(host.url);
  const res = await fetch(`${url.origin}/__test__/clock?token=${url.searchParams.get('token') ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: ms }),
  });
  expect(res.ok).toBe(true);
}

beforeAll(async () => {
  ensureFreshBuild();
  relay = await spawnRelay({ args: ['--test-clock'] });
  phone = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Kiosk', profession: 'Pharmacy' } });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await phone?.close();
  for (const host of hosts) {
    await host.stop();
    rmSync(host.dataDir, { recursive: true, force: true });
  }
  await relay?.stop();
  if (relay !== undefined) rmSync(relay.dataDir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
}, 60_000);

describe('kiosk in a real browser', () => {
  it('counts down, stays on "I am still here", then logs out and wipes after the idle time', async () => {
    const host = await spawnWebHost({ relayUrl: relay!.url, workstationName: 'Pharmacy kiosk', args: ['--kiosk', '--test-clock'] });
    hosts.push(host);
    const page = await openPage(host);
    const byTestId = (id: string) => page.getByTestId(id);

    await byTestId('pairing-url').waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await phone!.pairDesktop(await byTestId('pairing-url').inputValue(), { approve: () => true });
    await byTestId('workspace').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const accountDir = path.join(host.dataDir, 'accounts', phone!.accountId);
    expect(existsSync(accountDir)).toBe(true);
    // Kiosk: one "Switch user" button instead of the log-out menu.
    expect(await byTestId('switch-user').isVisible()).toBe(true);
    expect(await byTestId('logout-menu').count()).toBe(0);

    await advanceCore(host, KIOSK_IDLE_LOGOUT_MS - KIOSK_LOGOUT_COUNTDOWN_MS);
    await byTestId('kiosk-countdown').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('kiosk-countdown-seconds').innerText()).toMatch(/\d+/);
    await advanceCore(host, 2 * SECOND_MS);
    await byTestId('kiosk-stay').click();
    await byTestId('kiosk-countdown').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(existsSync(accountDir)).toBe(true);

    await advanceCore(host, KIOSK_IDLE_LOGOUT_MS + SECOND_MS);
    await byTestId('pairing-screen').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('workspace').count()).toBe(0);
    expect(existsSync(accountDir)).toBe(false);
    await page.close();
  }, 90_000);

  it('"Switch user" returns to the pairing screen in one click and wipes', async () => {
    const host = hosts[0]!;
    const page = await openPage(host);
    const byTestId = (id: string) => page.getByTestId(id);
    await byTestId('pairing-url').waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await phone!.pairDesktop(await byTestId('pairing-url').inputValue(), { approve: () => true });
    await byTestId('workspace').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('switch-user').click();
    await byTestId('pairing-screen').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(existsSync(path.join(host.dataDir, 'accounts', phone!.accountId))).toBe(false);
    await page.close();
  }, 90_000);

  it('shows the translated error screen for a bad managed configuration, not a crash', async () => {
    const file = path.join(configDir, 'config.json');
    writeFileSync(file, JSON.stringify({ kiosk: true, kioskIdleLogoutSecs: 60 }));
    const host = await spawnWebHost({ relayUrl: relay!.url, workstationName: 'Ward 9', args: ['--managed-config', file] });
    hosts.push(host);
    const page = await openPage(host);
    const view = page.getByTestId('error-view');
    await view.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await view.getAttribute('data-code')).toBe('CONFIG_UNKNOWN_KEY');
    expect(await view.innerText()).toContain('setting Wardline does not know');
    await page.close();
  }, 90_000);
});
