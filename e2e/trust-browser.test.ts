/**
 * The directory and the badges in the real renderer (Chromium) against the web host, a relay
 * with an authority key and companion phones: an unverified user's search shows only contacts
 * with a note; once the authority verified the user, the directory finds a verified colleague
 * with both badges, and picking the hit opens the chat.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { verifyAccount } from '../src/admin/authority-admin';
import { CompanionPhone } from '../src/phone/companion-phone';
import { systemClock } from '../src/shared/clock';
import { SECOND_MS } from '../src/shared/limits';
import type { VerificationClaims } from '../src/shared/trust/verification-attestation';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { ensureFreshBuild } from './browser/fresh-build';
import { spawnWebHost, type WebHostProcess } from './browser/web-host-process';
import { DESKTOP_VIEWPORT, launchChromium, pairFromQrCode } from './support/chromium';
import { asRelayAdmin } from './support/relay-admin';

const UI_TIMEOUT = 20 * SECOND_MS;
const authority = ed25519.keygen();
let relay: RelayProcess | undefined;
let host: WebHostProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let me: CompanionPhone | undefined;
let colleague: CompanionPhone | undefined;

const byTestId = (id: string) => page.getByTestId(id);
const asAdmin = <T>(run: (admin: RelayClient) => Promise<T>) => asRelayAdmin(relay!.url, run);

const verify = (phone: CompanionPhone, claims: VerificationClaims) =>
  asAdmin((admin) => verifyAccount(admin, authority, systemClock, { accountId: phone.ownDeviceList.accountId, identityKey: phone.ownDeviceList.identityKey, claims }));

async function searchDirectory(query: string): Promise<void> {
  await byTestId('directory-query').fill(query);
  await byTestId('directory-submit').click();
}

beforeAll(async () => {
  ensureFreshBuild();
  const authorityHex = Buffer.from(authority.publicKey).toString('hex');
  relay = await spawnRelay({ args: ['--authority-key', authorityHex] });
  me = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Anna Visser', profession: 'Internal medicine' } });
  colleague = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Colleague', profession: 'Cardiology' } });
  await verify(colleague, { level: 'registration', registration: { scheme: 'RIZIV', number: '12345625004' }, name: 'Dr. Eva Janssens', profession: 'Cardiologist', organisation: 'UZ Leuven', city: 'Leuven' });
  host = await spawnWebHost({ relayUrl: relay.url, workstationName: 'Ward 9', args: ['--authority-key', authorityHex] });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: DESKTOP_VIEWPORT });
  await page.goto(host.url);
  await pairFromQrCode(page, me, UI_TIMEOUT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await me?.close();
  await colleague?.close();
  await host?.stop();
  await relay?.stop();
  if (host !== undefined) rmSync(host.dataDir, { recursive: true, force: true });
  if (relay !== undefined) rmSync(relay.dataDir, { recursive: true, force: true });
}, 60_000);

describe('directory search in the new-chat dialog (real browser)', () => {
  it('an unverified user is told the directory is for verified professionals', async () => {
    await byTestId('new-chat').click();
    await searchDirectory('leuven');
    await byTestId('directory-contacts-only').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('directory-item').count()).toBe(0);
  }, 60_000);

  it('once verified, finds the colleague with both badges and opens the chat', async () => {
    await verify(me!, { level: 'identity', name: 'Dr. Anna Visser', profession: 'Internal medicine' });
    await searchDirectory('janssens leuven');
    const hit = byTestId('directory-item').filter({ hasText: 'Dr. Eva Janssens' });
    await hit.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('directory-contacts-only').count()).toBe(0);
    expect(await hit.getByTestId('badge-registration').count()).toBe(1);
    expect(await hit.getByTestId('badge-unverified').count()).toBe(0);
    await hit.click();
    await byTestId('new-chat-dialog').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('badge-registration').count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
  }, 60_000);
});
