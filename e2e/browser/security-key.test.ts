/**
 * The Security key screen in Chromium against the real core (web host), a real relay and a
 * companion phone: after QR pairing and setting a PIN, the screen asks for the PIN again and shows
 * the Backup & Restore code the phone shared at pairing; the code downloads as a text file.
 * Screenshots go to e2e/artifacts/security-key/ (git-ignored).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../../server/testing/relay-process';
import { formatRecoveryCode } from '../../src/shared/backup/recovery-code';
import { SECOND_MS } from '../../src/shared/limits';
import { CompanionPhone } from '../../src/phone/companion-phone';
import { ensureFreshBuild, REPO_ROOT } from './fresh-build';
import { spawnWebHost, type WebHostProcess } from './web-host-process';
import { collectPageProblems, DESKTOP_VIEWPORT, launchChromium, readQrCode } from '../support/chromium';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts', 'security-key');
const WORKSTATION = 'Ward 7 doctors office';
const PIN = '48213';
const UI_TIMEOUT = 20 * SECOND_MS;

let relay: RelayProcess | undefined;
let host: WebHostProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let phone: CompanionPhone | undefined;
const pageProblems: string[] = [];

const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function pairAndSetPin(): Promise<void> {
  await expect.poll(() => byTestId('pairing-qr').isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
  const qr = await readQrCode(page);
  expect(qr).not.toBeNull();
  await phone!.pairDesktop(qr!, {
    approve: async (request) => {
      const code = byTestId('confirmation-code');
      await code.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      return ((await code.textContent()) ?? '').replace(/\s+/g, '') === request.confirmationCode.replace(/\s+/g, '');
    },
  });
  await byTestId('workspace').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await byTestId('set-pin').click();
  await byTestId('pin-new').fill(PIN);
  await byTestId('pin-repeat').fill(PIN);
  await byTestId('pin-setup-submit').click();
  await byTestId('set-pin-banner').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
}

async function revealCode(): Promise<void> {
  await byTestId('open-security-key').click();
  await byTestId('security-key-view').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await byTestId('security-key-pin').fill(PIN);
  await byTestId('security-key-show').click();
  await byTestId('security-key-code').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  ensureFreshBuild();
  relay = await spawnRelay();
  phone = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Sanne Bakker', profession: 'Cardiology' } });
  host = await spawnWebHost({ relayUrl: relay.url, workstationName: WORKSTATION });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: DESKTOP_VIEWPORT, acceptDownloads: true });
  collectPageProblems(page, pageProblems);
  await page.goto(host.url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await phone?.close();
  await host?.stop();
  await relay?.stop();
  if (host !== undefined) rmSync(host.dataDir, { recursive: true, force: true });
  if (relay !== undefined) rmSync(relay.dataDir, { recursive: true, force: true });
}, 60_000);

describe('security key screen in a real browser', () => {
  it('pairs and sets a PIN', () => pairAndSetPin(), 90_000);

  it('asks for the PIN again, refuses a wrong one, then shows the code in groups', async () => {
    await byTestId('open-security-key').click();
    await byTestId('security-key-view').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await page.content()).not.toContain(phone!.backupCode.slice(0, 8));
    await shot('01-security-key-pin');
    await byTestId('security-key-pin').fill('90017');
    await byTestId('security-key-show').click();
    await byTestId('security-key-error').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('security-key-pin').fill(PIN);
    await byTestId('security-key-show').click();
    await byTestId('security-key-code').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const shown = (await byTestId('security-key-code').innerText()).replace(/\s+/g, '-');
    expect(shown).toBe(formatRecoveryCode(phone!.backupCode));
    expect(await byTestId('security-key-kiosk-note').count()).toBe(0);
    await shot('02-security-key-shown');
  }, 60_000);

  it('downloads the code as a text file', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI_TIMEOUT }), byTestId('security-key-download').click()]);
    expect(download.suggestedFilename()).toBe('wardline-security-key.txt');
    const file = await download.path();
    expect(readFileSync(file, 'utf8')).toContain(formatRecoveryCode(phone!.backupCode));
    await download.delete();
    await byTestId('security-key-close').click();
    await byTestId('security-key-view').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(await page.content()).not.toContain(phone!.backupCode.slice(0, 8));
  }, 60_000);

  it('ran under the strict CSP with no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});

describe('security key screen on a kiosk workstation', () => {
  let kioskHost: WebHostProcess | undefined;
  beforeAll(async () => {
    kioskHost = await spawnWebHost({ relayUrl: relay!.url, workstationName: 'Ward 7 shared kiosk', args: ['--kiosk'] });
    page = await browser!.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.name}`));
    await page.goto(kioskHost.url);
  }, 120_000);
  afterAll(async () => {
    await kioskHost?.stop();
    if (kioskHost !== undefined) rmSync(kioskHost.dataDir, { recursive: true, force: true });
  }, 60_000);

  it('shows and prints the code but offers no download, and says why', async () => {
    await pairAndSetPin();
    await revealCode();
    expect((await byTestId('security-key-code').innerText()).replace(/\s+/g, '-')).toBe(formatRecoveryCode(phone!.backupCode));
    await byTestId('security-key-kiosk-note').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('security-key-download').count()).toBe(0);
    expect(await byTestId('security-key-print').count()).toBe(1);
    await shot('03-security-key-kiosk');
    expect(pageProblems).toEqual([]);
  }, 120_000);
});
