/**
 * Test support: headless Debian Chromium for the browser end-to-end tests, the page's own error
 * reports, and reading the pairing QR code the way a phone camera would (from pixels, not the DOM).
 */
import jsQR from 'jsqr';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { CompanionPhone } from '../../src/phone/companion-phone';

const CHROMIUM = '/usr/bin/chromium';
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export const DESKTOP_VIEWPORT = { width: 1280, height: 800 } as const;

/** `extraArgs` adds switches such as a synthetic webcam for one test file. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs] });
}

/**
 * Collects what the page reports as broken (uncaught errors, CSP refusals) into `problems`, which
 * the tests assert to be empty. `errorMessages` adds the start of each uncaught error's message.
 */
export function collectPageProblems(page: Page, problems: string[], options: { errorMessages?: boolean } = {}): void {
  page.on('pageerror', (error) => problems.push(options.errorMessages === true ? `pageerror: ${error.name}: ${error.message.slice(0, 200)}` : `pageerror: ${error.name}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text().slice(0, 200)}`);
  });
}

/** The text of the QR code in a screenshot of the page (also saved to `savePath` if given), or null. */
export async function readQrCode(page: Page, savePath?: string): Promise<string | null> {
  const png = PNG.sync.read(await page.screenshot(savePath === undefined ? {} : { path: savePath }));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  return code === null ? null : code.data;
}

/** As readQrCode, but a missing code is an error. */
export async function scanQrCode(page: Page, savePath?: string): Promise<string> {
  const data = await readQrCode(page, savePath);
  if (data === null) throw new Error('no QR code found in the pairing screenshot');
  return data;
}

/** Pairs `phone` with the desktop on `page` from its QR code, approving without checking the confirmation code. */
export async function pairFromQrCode(page: Page, phone: CompanionPhone, timeout: number): Promise<void> {
  await page.getByTestId('pairing-qr').waitFor({ state: 'visible', timeout });
  await phone.pairDesktop(await scanQrCode(page), { approve: () => true });
  await page.getByTestId('workspace').waitFor({ state: 'visible', timeout });
}
