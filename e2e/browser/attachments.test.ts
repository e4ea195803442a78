/**
 * Clinical photos in a real browser: the renderer (Chromium, web host with a real core, a real
 * relay, two companion phones) attaches a picture, blurs a region and draws an arrow in the
 * anonymisation editor, and sends it. Phone B decrypts the attachment and checks the pixels:
 * the blurred region no longer holds the original pixels, the arrow is red, and the rest of the
 * picture is untouched. The media library opens the picture inside the app.
 * Screenshots go to e2e/artifacts/attachments/ (git-ignored) for reviewers.
 */
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionPhone } from '../../src/phone/companion-phone';
import type { AttachmentContent } from '../../src/shared/messages/content';
import { SECOND_MS } from '../../src/shared/limits';
import { pairFromQrCode } from '../support/chromium';
import { openChatFrom, openWardScene, type WardScene } from './ward-scene';

const WORKSTATION = 'Ward 7 wound care';
const UI_TIMEOUT = 20 * SECOND_MS;
const WIDTH = 320;
const HEIGHT = 240;
/** Image coordinates of the blurred region and the arrow (tail → tip). */
const BLUR = { x: 40, y: 40, width: 96, height: 80 };
const ARROW = { from: { x: 250, y: 200 }, to: { x: 200, y: 150 } };

let scene: WardScene | undefined;
let page: Page;
let phoneA: CompanionPhone | undefined;
let phoneB: CompanionPhone | undefined;
const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => scene!.shot(name);

/** A "photo" full of fine detail (what a blur must destroy), deterministic. */
function original(): PNG {
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  let seed = 7;
  for (let i = 0; i < WIDTH * HEIGHT; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const v = seed >>> 24;
    png.data[i * 4] = v;
    png.data[i * 4 + 1] = 255 - v;
    png.data[i * 4 + 2] = (v * 3) & 0xff;
    png.data[i * 4 + 3] = 255;
  }
  return png;
}

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

/** Drags on the editor canvas between two points given in image coordinates. */
async function dragOnCanvas(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const box = (await byTestId('editor-canvas').boundingBox())!;
  const at = (p: { x: number; y: number }) => ({ x: box.x + (p.x / WIDTH) * box.width, y: box.y + (p.y / HEIGHT) * box.height });
  const a = at(from);
  const b = at(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

beforeAll(async () => {
  scene = await openWardScene({
    artifacts: 'attachments',
    workstationName: WORKSTATION,
    phones: [
      { profile: { displayName: 'Dr. Lena Smit', profession: 'Dermatology' } },
      { profile: { displayName: 'Nurse Tom Bakker', profession: 'Wound care' } },
    ],
    // A synthetic webcam, granted without a prompt, for the secure camera.
    chromiumArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  ({ page } = scene);
  [phoneA, phoneB] = scene.phones;
}, 300_000);

afterAll(() => scene?.close(), 60_000);

describe('clinical photo: attach, blur, arrow, send (real browser)', () => {
  it('pairs and opens the conversation with phone B', async () => {
    await pairFromQrCode(page, phoneA!, UI_TIMEOUT);
    await openChatFrom(page, phoneB!, phoneA!, 'Can you look at the wound on bed 3?', UI_TIMEOUT);
  }, 90_000);

  it('blurs a region and draws a red arrow; phone B receives the edited picture', async () => {
    const source = original();
    await byTestId('attach-input').setInputFiles({ name: 'wound.png', mimeType: 'image/png', buffer: PNG.sync.write(source) });
    await byTestId('image-editor').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('tool-blur').click();
    await dragOnCanvas({ x: BLUR.x, y: BLUR.y }, { x: BLUR.x + BLUR.width, y: BLUR.y + BLUR.height });
    await byTestId('tool-arrow').click();
    await dragOnCanvas(ARROW.from, ARROW.to);
    // Undo drops the arrow, drawing it again brings it back: the sent file has both edits.
    await byTestId('tool-undo').click();
    await dragOnCanvas(ARROW.from, ARROW.to);
    await shot('01-editor');
    await byTestId('editor-send').click();
    await byTestId('image-editor').waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    const received = await phoneB!.waitForMessage((m) => m.content.kind === 'attachment', UI_TIMEOUT);
    const content = received.content as AttachmentContent;
    expect(content).toMatchObject({ mimeType: 'image/png', fileName: 'wound.png' });
    const sent = PNG.sync.read(Buffer.from(await phoneB!.fetchAttachment(content)));
    expect([sent.width, sent.height]).toEqual([WIDTH, HEIGHT]);

    // The blurred region: the original pixels are gone (the drag may round a pixel at the edges).
    let changed = 0;
    let total = 0;
    for (let y = BLUR.y + 2; y < BLUR.y + BLUR.height - 2; y++) {
      for (let x = BLUR.x + 2; x < BLUR.x + BLUR.width - 2; x++) {
        total++;
        if (pixel(sent, x, y).some((v, i) => Math.abs(v - pixel(source, x, y)[i]!) > 8)) changed++;
      }
    }
    expect(changed / total).toBeGreaterThan(0.9);
    // The arrow: pure red pixels around its shaft.
    const mid = { x: Math.round((ARROW.from.x + ARROW.to.x) / 2), y: Math.round((ARROW.from.y + ARROW.to.y) / 2) };
    let red = 0;
    for (let y = mid.y - 3; y <= mid.y + 3; y++) for (let x = mid.x - 3; x <= mid.x + 3; x++) if (pixel(sent, x, y)[0] > 200 && pixel(sent, x, y)[1] < 60 && pixel(sent, x, y)[2] < 60) red++;
    expect(red).toBeGreaterThan(5);
    // Far from both edits, the picture is the original.
    let same = 0;
    let far = 0;
    for (let y = 180; y < 235; y++) {
      for (let x = 10; x < 120; x++) {
        far++;
        if (pixel(sent, x, y).every((v, i) => v === pixel(source, x, y)[i])) same++;
      }
    }
    expect(same / far).toBeGreaterThan(0.99);
  }, 90_000);

  it('lists the photo in "Photos and files" and opens it inside the app', async () => {
    await expect.poll(() => byTestId('attachment').count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await byTestId('library-button').click();
    await byTestId('media-library').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('library-item').count(), { timeout: UI_TIMEOUT }).toBe(1);
    await shot('02-media-library');
    await byTestId('library-item').first().click();
    const image = byTestId('viewer-image');
    await image.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: UI_TIMEOUT }).toBe(WIDTH);
    await shot('03-viewer');
    await byTestId('viewer-close').click();
    await byTestId('library-close').click();
  }, 60_000);

  it('takes a picture with the secure camera straight into the editor', async () => {
    await byTestId('camera-button').click();
    await byTestId('camera').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('camera-capture').isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
    await expect.poll(() => page.locator('[data-testid="camera"] video').evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await byTestId('camera-capture').click();
    await byTestId('image-editor').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('camera').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(await byTestId('editor-canvas').evaluate((c) => (c as unknown as { width: number }).width)).toBeGreaterThan(0);
    await shot('04-camera-in-editor');
    await byTestId('editor-cancel').click();
    await byTestId('image-editor').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(scene!.problems).toEqual([]);
  }, 60_000);
});
