/**
 * A failed attachment transfer shows on the message, with Retry (real browser, web host with a
 * real core, a relay process killed and restarted): a document sent while the relay is gone is
 * marked "Attachment not sent"; once the relay is back, Retry sends it and phone B receives it.
 * Screenshots go to e2e/artifacts/attachments-transfer/ (git-ignored) for reviewers.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../../server/testing/relay-process';
import { CompanionPhone } from '../../src/phone/companion-phone';
import { SECOND_MS } from '../../src/shared/limits';
import type { AttachmentContent } from '../../src/shared/messages/content';
import { collectPageProblems, DESKTOP_VIEWPORT, launchChromium, pairFromQrCode } from '../support/chromium';
import { ensureFreshBuild, REPO_ROOT } from './fresh-build';
import { spawnWebHost, type WebHostProcess } from './web-host-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts', 'attachments-transfer');
const UI_TIMEOUT = 20 * SECOND_MS;
const REPORT = Buffer.from(`%PDF-1.4\n% discharge letter\n${'x'.repeat(50_000)}\n%%EOF\n`, 'latin1');

let relay: RelayProcess | undefined;
let relayData: string;
let phoneBData: string;
let host: WebHostProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let phoneA: CompanionPhone | undefined;
let phoneB: CompanionPhone | undefined;
const pageProblems: string[] = [];
const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  ensureFreshBuild();
  relayData = mkdtempSync(path.join(tmpdir(), 'wardline-transfer-relay-'));
  phoneBData = mkdtempSync(path.join(tmpdir(), 'wardline-transfer-phone-'));
  relay = await spawnRelay({ dataDir: relayData });
  phoneA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Lena Smit', profession: 'Internal medicine' } });
  phoneB = await CompanionPhone.create({ relayUrl: relay.url, dataDir: phoneBData, profile: { displayName: 'Dr. Tom Bakker', profession: 'General practice' } });
  host = await spawnWebHost({ relayUrl: relay.url, workstationName: 'Ward 2 discharge desk' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: DESKTOP_VIEWPORT });
  collectPageProblems(page, pageProblems, { errorMessages: true });
  await page.goto(host.url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await phoneA?.close().catch(() => undefined);
  await phoneB?.close().catch(() => undefined);
  await host?.stop();
  await relay?.stop();
  if (host !== undefined) rmSync(host.dataDir, { recursive: true, force: true });
  rmSync(relayData, { recursive: true, force: true });
  rmSync(phoneBData, { recursive: true, force: true });
}, 60_000);

describe('failed attachment transfer: mark and Retry (real browser)', () => {
  it('pairs and opens the conversation with phone B', async () => {
    await pairFromQrCode(page, phoneA!, UI_TIMEOUT);
    await phoneB!.sendText(phoneA!.accountId, 'Please send the discharge letter.');
    const item = byTestId('chat-item').filter({ hasText: 'discharge' });
    await item.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await item.first().click();
    await byTestId('conversation').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }, 90_000);

  it('marks a document sent while the relay is down as not sent', async () => {
    const port = relay!.port;
    await relay!.stop('SIGKILL');
    await byTestId('relay-banner').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('attach-input').setInputFiles({ name: 'discharge-letter.pdf', mimeType: 'application/pdf', buffer: REPORT });
    const mark = byTestId('attachment-failed');
    await mark.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await mark.getAttribute('data-direction')).toBe('upload');
    expect(await mark.textContent()).toContain('Attachment not sent');
    await shot('01-upload-failed');
    relay = await spawnRelay({ dataDir: relayData, port });
    await byTestId('relay-banner').waitFor({ state: 'detached', timeout: 60_000 });
  }, 120_000);

  it('sends it on Retry once the relay is back; the mark goes away and phone B receives it', async () => {
    // Phone B's connection died with the old relay process.
    await phoneB!.close().catch(() => undefined);
    phoneB = await CompanionPhone.open({ dataDir: phoneBData, relayUrl: relay!.url });
    await byTestId('attachment-retry').click();
    await byTestId('attachment-failed').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const received = await phoneB.waitForMessage((m) => m.content.kind === 'attachment', UI_TIMEOUT);
    const content = received.content as AttachmentContent;
    expect(content).toMatchObject({ fileName: 'discharge-letter.pdf', mimeType: 'application/pdf' });
    expect(Buffer.from(await phoneB.fetchAttachment(content)).equals(REPORT)).toBe(true);
    await shot('02-retried');
    expect(pageProblems).toEqual([]);
  }, 60_000);
});
