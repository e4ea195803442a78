/**
 * The real renderer in Chromium against the real core (web host process), a real relay process
 * and two companion phones: QR pairing read from a screenshot, a message from phone B, the reply
 * from the composer reaching B and (own-device copy) A, the privacy screen after idle, the PIN
 * with its lockout, and the 6-hour session end returning to the pairing screen.
 * Screenshots of each main screen go to e2e/artifacts/ (git-ignored) for reviewers.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_SESSION_MS, MINUTE_MS, PIN_MAX_TRIES, PRIVACY_SCREEN_IDLE_MS, SECOND_MS } from '../../src/shared/limits';
import type { CompanionPhone } from '../../src/phone/companion-phone';
import type { ReceivedMessage } from '../../src/phone/message-inbox';
import { scanQrCode } from '../support/chromium';
import { openWardScene, type WardScene } from './ward-scene';

const WORKSTATION = 'Ward 4 nursing station';
const INBOUND = 'Bed 12: potassium 3.1 mmol/L, please review the KCl dose';
const REPLY = 'Give 20 mmol KCl orally and recheck at 14:00';
const PIN = '48213';
const WRONG_PIN = '90017';
const UI_TIMEOUT = 20 * SECOND_MS;

let scene: WardScene | undefined;
let page: Page;
let phoneA: CompanionPhone | undefined;
let phoneB: CompanionPhone | undefined;

const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => scene!.shot(name);
const textFrom = (body: string) => (m: ReceivedMessage) => m.content.kind === 'text' && m.content.body === body;

const scanQrFromScreenshot = (name: string) => scanQrCode(page, path.join(scene!.artifactsDir, `${name}.png`));

beforeAll(async () => {
  scene = await openWardScene({
    artifacts: 'browser',
    workstationName: WORKSTATION,
    relay: { args: ['--test-clock'] },
    phones: [
      { profile: { displayName: 'Dr. Anna Visser', profession: 'Internal medicine' } },
      { profile: { displayName: 'Bram de Vries', profession: 'Nursing' } },
    ],
    errorMessages: false,
    // The page's timers run on Playwright's clock so the 60 s idle rule can be fast-forwarded.
    beforeLoad: (p) => p.clock.install(),
  });
  ({ page } = scene);
  [phoneA, phoneB] = scene.phones;
}, 300_000);

afterAll(() => scene?.close(), 60_000);

describe('ward workstation in a real browser', () => {
  it('pairs with phone A by the QR code read from a screenshot, comparing the confirmation code', async () => {
    await expect.poll(() => byTestId('pairing-qr').isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
    const url = await scanQrFromScreenshot('01-pairing');
    expect(url).toMatch(/^wardline:\/\//);

    let shownCode = '';
    const result = await phoneA!.pairDesktop(url, {
      approve: async (request) => {
        const code = byTestId('confirmation-code');
        await code.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        shownCode = ((await code.textContent()) ?? '').replace(/\s+/g, '');
        await shot('02-confirmation-code');
        return request.desktopName === WORKSTATION && shownCode === request.confirmationCode.replace(/\s+/g, '');
      },
    });
    expect(shownCode).toBe(result.confirmationCode.replace(/\s+/g, ''));
    await byTestId('workspace').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('pairing-screen').count()).toBe(0);
  }, 60_000);

  it('shows a message from phone B in the chat list and in the conversation', async () => {
    await phoneB!.sendText(phoneA!.accountId, INBOUND);
    const item = byTestId('chat-item').filter({ hasText: 'potassium' });
    await item.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('unread-count').first().innerText(), { timeout: UI_TIMEOUT }).toMatch(/^1(\D|$)/);
    await shot('03-chat-list');

    await item.first().click();
    await byTestId('conversation').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('message-body').allInnerTexts(), { timeout: UI_TIMEOUT }).toContain(INBOUND);
    await shot('04-conversation');
  }, 60_000);

  it('sends the reply typed in the composer with Enter to phone B and to phone A', async () => {
    const composer = byTestId('composer');
    await composer.fill(REPLY);
    await composer.press('Enter');
    const [atB, atA] = await Promise.all([phoneB!.waitForMessage(textFrom(REPLY), UI_TIMEOUT), phoneA!.waitForMessage(textFrom(REPLY), UI_TIMEOUT)]);
    expect(atB.from).toBe(phoneA!.accountId);
    expect(atA.ownCopy).toBe(true);
    await expect.poll(() => byTestId('message-body').allInnerTexts(), { timeout: UI_TIMEOUT }).toContain(REPLY);
    expect(await composer.inputValue()).toBe('');
    await shot('05-reply-sent');
  }, 60_000);

  it('hides all content behind the privacy screen after 60 s without input', async () => {
    await page.clock.fastForward(PRIVACY_SCREEN_IDLE_MS + SECOND_MS);
    await byTestId('privacy-screen').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // Hidden means not rendered, not blurred: no message text is in the page at all.
    expect(await page.content()).not.toContain(REPLY);
    expect(await byTestId('message-body').count()).toBe(0);
    await shot('06-privacy-screen');

    await byTestId('privacy-reveal').click();
    await expect.poll(() => byTestId('message-body').allInnerTexts(), { timeout: UI_TIMEOUT }).toContain(REPLY);
    // Back to the core's time, so countdowns computed from the core's timestamps read true.
    await page.clock.setSystemTime(Date.now());
  }, 60_000);

  it('sets a PIN, unlocks with it, and locks out after 3 wrong tries', async () => {
    await byTestId('set-pin').click();
    await byTestId('pin-new').fill(PIN);
    await byTestId('pin-repeat').fill(PIN);
    await byTestId('pin-setup-submit').click();
    await byTestId('set-pin-banner').waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    await byTestId('lock-now').click();
    await byTestId('lock-screen').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await page.content()).not.toContain(REPLY);
    await shot('07-lock-screen');
    await byTestId('pin-input').fill(PIN);
    await byTestId('pin-submit').click();
    await byTestId('workspace').waitFor({ state: 'visible', timeout: UI_TIMEOUT });

    await byTestId('lock-now').click();
    await byTestId('lock-screen').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    for (let attempt = 1; attempt <= PIN_MAX_TRIES; attempt++) {
      await byTestId('pin-input').fill(WRONG_PIN);
      await byTestId('pin-submit').click();
      await expect.poll(() => byTestId('pin-error').innerText(), { timeout: UI_TIMEOUT }).not.toBe('');
      if (attempt < PIN_MAX_TRIES) {
        expect(await byTestId('pin-error').getAttribute('data-locked-out')).toBe('false');
        // Wait until the form is ready for the next try.
        await expect.poll(() => byTestId('pin-submit').isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
      }
    }
    await expect.poll(() => byTestId('pin-error').getAttribute('data-locked-out'), { timeout: UI_TIMEOUT }).toBe('true');
    expect(await byTestId('pin-input').isDisabled()).toBe(true);
    expect(await byTestId('workspace').count()).toBe(0);
    await shot('08-locked-out');
  }, 90_000);

  it('returns to the pairing screen when the relay ends the 6-hour session', async () => {
    await scene!.relay.advanceClock(DESKTOP_SESSION_MS + MINUTE_MS);
    await byTestId('pairing-screen').waitFor({ state: 'visible', timeout: 30 * SECOND_MS });
    await expect.poll(() => byTestId('pairing-qr').isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
    expect(await page.content()).not.toContain(REPLY);
    await shot('09-session-ended');
  }, 60_000);

  it('ran the whole way under the strict CSP with no page errors', () => {
    expect(scene!.problems).toEqual([]);
  });

  it('wrote no message content to the desktop logs', () => {
    const logs = scene!.host.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(INBOUND);
    expect(logs).not.toContain(REPLY);
    expect(logs).not.toContain(PIN);
  });
});
