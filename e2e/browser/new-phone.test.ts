/**
 * After a restore on a new phone, in the real renderer (Chromium) against two web hosts and a
 * relay: the contact's desktop shows "<name> is using a new phone" as a system line in the
 * conversation (no safety-number block), and the account's own old desktop is back at the
 * pairing screen saying it must be linked again and that its data was erased.
 * Screenshots go to e2e/artifacts/new-phone/ (git-ignored).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../../server/testing/relay-process';
import { CompanionPhone } from '../../src/phone/companion-phone';
import { TEST_KDF_PARAMS } from '../../src/shared/backup/test-kdf';
import { SECOND_MS } from '../../src/shared/limits';
import { DESKTOP_VIEWPORT, launchChromium, pairFromQrCode } from '../support/chromium';
import { ensureFreshBuild, REPO_ROOT } from './fresh-build';
import { spawnWebHost, type WebHostProcess } from './web-host-process';

const UI_TIMEOUT = 20 * SECOND_MS;
const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts', 'new-phone');
let relay: RelayProcess | undefined;
const hosts: WebHostProcess[] = [];
const phones: CompanionPhone[] = [];
let browser: Browser | undefined;
let alicePage: Page;
let bobPage: Page;
let alice: CompanionPhone;
let bob: CompanionPhone;

beforeAll(async () => {
  ensureFreshBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  relay = await spawnRelay();
  alice = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Alice Peeters', profession: 'GP' }, backupKdf: TEST_KDF_PARAMS });
  bob = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Bob de Vries', profession: 'Nurse' } });
  phones.push(alice, bob);
  const aliceHost = await spawnWebHost({ relayUrl: relay.url, workstationName: 'Ward 4' });
  const bobHost = await spawnWebHost({ relayUrl: relay.url, workstationName: 'Ward 9' });
  hosts.push(aliceHost, bobHost);
  browser = await launchChromium();
  alicePage = await browser.newPage({ viewport: DESKTOP_VIEWPORT });
  bobPage = await browser.newPage({ viewport: DESKTOP_VIEWPORT });
  await alicePage.goto(aliceHost.url);
  await pairFromQrCode(alicePage, alice, UI_TIMEOUT);
  await bobPage.goto(bobHost.url);
  await pairFromQrCode(bobPage, bob, UI_TIMEOUT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const p of phones) await p.close().catch(() => undefined);
  for (const h of hosts) {
    await h.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
  await relay?.stop();
  if (relay !== undefined) rmSync(relay.dataDir, { recursive: true, force: true });
}, 60_000);

describe('a restored phone in the real renderer', () => {
  it('shows the contact a new-phone line and sends the old desktop back to pairing', async () => {
    await alice.sendText(bob.accountId, 'Handover for bed 12 at 14:00');
    await bobPage.getByTestId('chat-item').filter({ hasText: 'Dr. Alice Peeters' }).click({ timeout: UI_TIMEOUT });
    await bobPage.getByTestId('message-body').filter({ hasText: 'Handover for bed 12' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await bobPage.getByTestId('device-notice').count()).toBe(0);
    await alice.backUp();

    const restored = await CompanionPhone.restore({ relayUrl: relay!.url, accountId: alice.accountId, code: alice.backupCode, minimumKdf: TEST_KDF_PARAMS, backupKdf: TEST_KDF_PARAMS });
    phones.push(restored);

    const notice = bobPage.getByTestId('device-notice');
    await notice.waitFor({ timeout: UI_TIMEOUT });
    expect(await notice.innerText()).toContain('Dr. Alice Peeters is using a new phone');
    expect(await notice.getAttribute('data-kind')).toBe('new-phone');
    expect(await bobPage.getByTestId('safety-number-notice').count()).toBe(0);
    await bobPage.screenshot({ path: path.join(ARTIFACTS, 'contact-new-phone-notice.png'), fullPage: true });

    const removed = alicePage.getByTestId('pair-again-notice');
    await removed.waitFor({ timeout: UI_TIMEOUT });
    expect(await removed.getAttribute('data-reason')).toBe('DEVICE_REMOVED');
    expect(await alicePage.getByTestId('pair-again-wiped').count()).toBe(1);
    await alicePage.getByTestId('pairing-screen').waitFor({ timeout: UI_TIMEOUT });
    await alicePage.screenshot({ path: path.join(ARTIFACTS, 'old-desktop-pair-again.png'), fullPage: true });

    // Bob writes from the desktop at once (no safety-number block); the new phone gets it.
    await bobPage.getByRole('textbox').last().fill('Received, thanks');
    await bobPage.keyboard.press('Enter');
    await restored.waitForMessage((m) => m.content.kind === 'text' && m.content.body === 'Received, thanks', UI_TIMEOUT);
  }, 120_000);
});
