/**
 * Test support for the browser end-to-end tests: the scene most of them start from — a real
 * relay, companion phones, the web host with a real core, and one Chromium page on the app —
 * built in one call and torn down in one call, with the screenshot folder reset for the file.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { spawnRelay, type RelayProcess, type SpawnRelayOptions } from '../../server/testing/relay-process';
import { CompanionPhone, type CompanionPhoneOptions } from '../../src/phone/companion-phone';
import type { Profile } from '../../src/shared/messages/profile';
import { collectPageProblems, DESKTOP_VIEWPORT, launchChromium } from '../support/chromium';
import { ensureFreshBuild, REPO_ROOT } from './fresh-build';
import { spawnWebHost, type WebHostProcess } from './web-host-process';

export interface WardSceneOptions {
  /** Folder name under e2e/artifacts/ (git-ignored) for this file's screenshots. */
  readonly artifacts: string;
  readonly workstationName: string;
  /** One companion phone per entry, in this order. */
  readonly phones: readonly (CompanionPhoneOptions & { readonly profile: Profile })[];
  readonly relay?: SpawnRelayOptions;
  readonly chromiumArgs?: readonly string[];
  readonly acceptDownloads?: boolean;
  /** Record the start of each uncaught error's message, not only its name. */
  readonly errorMessages?: boolean;
  /** Runs before the app is loaded, e.g. to install Playwright's clock on the page. */
  readonly beforeLoad?: (page: Page) => Promise<void>;
}

export interface WardScene {
  readonly artifactsDir: string;
  readonly relay: RelayProcess;
  readonly host: WebHostProcess;
  readonly browser: Browser;
  readonly page: Page;
  readonly phones: readonly CompanionPhone[];
  /** Uncaught errors and CSP refusals the page reported; tests assert it stays empty. */
  readonly problems: string[];
  /** Saves a full-page screenshot of the scene's page under the artifacts folder. */
  shot(name: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openWardScene(options: WardSceneOptions): Promise<WardScene> {
  const artifactsDir = path.join(REPO_ROOT, 'e2e', 'artifacts', options.artifacts);
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
  ensureFreshBuild();
  const relay = await spawnRelay(options.relay);
  const phones: CompanionPhone[] = [];
  let host: WebHostProcess | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    for (const phone of phones) await phone.close();
    await host?.stop();
    await relay.stop();
    if (host !== undefined) rmSync(host.dataDir, { recursive: true, force: true });
    rmSync(relay.dataDir, { recursive: true, force: true });
  };
  try {
    for (const phone of options.phones) phones.push(await CompanionPhone.create({ ...phone, relayUrl: relay.url }));
    host = await spawnWebHost({ relayUrl: relay.url, workstationName: options.workstationName });
    browser = await launchChromium(options.chromiumArgs);
    const page = await browser.newPage({ viewport: DESKTOP_VIEWPORT, acceptDownloads: options.acceptDownloads ?? false });
    const problems: string[] = [];
    collectPageProblems(page, problems, { errorMessages: options.errorMessages ?? true });
    await options.beforeLoad?.(page);
    await page.goto(host.url);
    const shot = (name: string) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
    return { artifactsDir, relay, host, browser, page, phones, problems, shot, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** After pairing: `sender` writes `text` to `recipient`, and the desktop opens that chat from the list. */
export async function openChatFrom(page: Page, sender: CompanionPhone, recipient: CompanionPhone, text: string, timeout: number): Promise<void> {
  await sender.sendText(recipient.accountId, text);
  const item = page.getByTestId('chat-item').filter({ hasText: text.slice(0, 20) });
  await item.first().waitFor({ state: 'visible', timeout });
  await item.first().click();
  await page.getByTestId('conversation').waitFor({ state: 'visible', timeout });
}
