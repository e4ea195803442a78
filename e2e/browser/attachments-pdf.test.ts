/**
 * PDFs open inside the app (real browser): phone B sends a lab report as a PDF, the desktop
 * (Chromium, web host with a real core, a real relay) opens it in the in-app viewer — PDF.js on a
 * canvas, its worker from the app's own origin under the strict CSP — with the page count,
 * next/previous page and zoom. A damaged PDF and a password-protected one show a clear message,
 * not a blank screen. No CSP refusal and no uncaught error along the way.
 * Screenshots go to e2e/artifacts/attachments-pdf/ (git-ignored) for reviewers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionPhone } from '../../src/phone/companion-phone';
import { SECOND_MS } from '../../src/shared/limits';
import { pairFromQrCode } from '../support/chromium';
import { openChatFrom, openWardScene, type WardScene } from './ward-scene';

const UI_TIMEOUT = 20 * SECOND_MS;

// ---------------------------------------------------------------------------------------------
// Hand-written PDFs (PDF 1.4, ISO 32000-1 §7.5): pages with one line of Helvetica each.

const FILE_ID = createHash('md5').update('wardline-e2e-pdf').digest();

/** Assembles numbered objects into a PDF with a correct cross-reference table. */
function pdfFile(objects: string[], trailerExtra = ''): Buffer {
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  const id = FILE_ID.toString('hex');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /ID [<${id}> <${id}>]${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function pageObjects(lines: string[]): string[] {
  // 1 catalog, 2 pages, 3 font, then a page and its content stream per line.
  const kids = lines.map((_, i) => `${4 + i * 2} 0 R`).join(' ');
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${lines.length} >>`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  for (const [i, line] of lines.entries()) {
    const stream = `BT /F1 28 Tf 36 120 Td (${line}) Tj ET\n0 0 1 RG 6 w 36 90 m 380 90 l S\n`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 240] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}endstream`);
  }
  return objects;
}

/** RC4, for the PDF standard security handler revision 2 (node's OpenSSL 3 no longer offers it). */
function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

/**
 * A PDF that needs a user password (ISO 32000-1 §7.6.3, algorithms 2–4, R2/40-bit): only the
 * password check matters here, the viewer must stop there.
 */
function passwordProtectedPdf(): Buffer {
  const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
  const pad = (password: string) => Buffer.concat([Buffer.from(password, 'latin1'), PAD]).subarray(0, 32);
  const md5 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('md5')).digest();
  const P = -44;
  const o = rc4(md5(pad('owner-secret')).subarray(0, 5), pad('user-secret'));
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(P);
  const key = md5(pad('user-secret'), o, permissions, FILE_ID).subarray(0, 5);
  const u = rc4(key, PAD);
  const objects = pageObjects(['Locked lab report']);
  objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${o.toString('hex')}> /U <${u.toString('hex')}> /P ${P} >>`);
  return pdfFile(objects, ` /Encrypt ${objects.length} 0 R`);
}

/** Starts like a PDF, then is noise: no cross-reference table, no objects. */
function damagedPdf(): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(4096)]);
}

// ---------------------------------------------------------------------------------------------

let scene: WardScene | undefined;
let page: Page;
let phoneA: CompanionPhone | undefined;
let phoneB: CompanionPhone | undefined;
const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => scene!.shot(name);

/** Sends a PDF from phone B and opens the newest attachment chip in the desktop's viewer. */
async function receiveAndOpen(bytes: Buffer, fileName: string): Promise<void> {
  const before = await byTestId('attachment').count();
  await phoneB!.sendAttachment(phoneA!.accountId, { bytes, fileName, mimeType: 'application/pdf' });
  await expect.poll(() => byTestId('attachment').count(), { timeout: UI_TIMEOUT }).toBe(before + 1);
  await byTestId('attachment').nth(before).click();
  await byTestId('pdf-viewer').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** Dark pixels (text, lines) in a screenshot of the PDF canvas. */
async function inkOnCanvas(): Promise<{ dark: number; blue: number; total: number; width: number }> {
  const png = PNG.sync.read(await byTestId('pdf-canvas').screenshot());
  let dark = 0;
  let blue = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b] = [png.data[i * 4]!, png.data[i * 4 + 1]!, png.data[i * 4 + 2]!];
    if (r < 80 && g < 80 && b < 80) dark++;
    if (b > 180 && r < 80 && g < 80) blue++;
  }
  return { dark, blue, total: png.width * png.height, width: png.width };
}

beforeAll(async () => {
  scene = await openWardScene({
    artifacts: 'attachments-pdf',
    workstationName: 'Ward 4 internal medicine',
    phones: [
      { profile: { displayName: 'Dr. Lena Smit', profession: 'Internal medicine' } },
      { profile: { displayName: 'Lab Tom Bakker', profession: 'Clinical chemistry' } },
    ],
  });
  ({ page } = scene);
  [phoneA, phoneB] = scene.phones;
}, 300_000);

afterAll(() => scene?.close(), 60_000);

describe('PDF attachments open inside the app (real browser)', () => {
  it('pairs and opens the conversation with phone B', async () => {
    await pairFromQrCode(page, phoneA!, UI_TIMEOUT);
    await openChatFrom(page, phoneB!, phoneA!, 'The potassium results are in the PDF.', UI_TIMEOUT);
  }, 90_000);

  it('renders a received PDF on a canvas, with the page count, paging and zoom', async () => {
    await receiveAndOpen(pdfFile(pageObjects(['Potassium 4.1 mmol/L', 'Sodium 139 mmol/L'])), 'lab-report.pdf');
    const count = byTestId('pdf-page-count');
    await count.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await count.getAttribute('data-pages')).toBe('2');
    expect(await count.textContent()).toContain('1');
    await expect.poll(() => byTestId('pdf-canvas').getAttribute('data-rendered-page'), { timeout: UI_TIMEOUT }).toBe('1');
    const first = await inkOnCanvas();
    // Text in black and a blue rule: clearly drawn, clearly not a black or blank box.
    expect(first.dark).toBeGreaterThan(200);
    expect(first.blue).toBeGreaterThan(200);
    expect(first.dark / first.total).toBeLessThan(0.5);
    expect(await byTestId('pdf-previous').isDisabled()).toBe(true);
    await shot('01-pdf-page-1');

    await byTestId('pdf-next').click();
    await expect.poll(() => byTestId('pdf-canvas').getAttribute('data-rendered-page'), { timeout: UI_TIMEOUT }).toBe('2');
    expect(await count.getAttribute('data-page')).toBe('2');
    expect(await byTestId('pdf-next').isDisabled()).toBe(true);
    expect((await inkOnCanvas()).dark).toBeGreaterThan(200);

    await byTestId('pdf-zoom-in').click();
    await expect.poll(async () => (await inkOnCanvas()).width, { timeout: UI_TIMEOUT }).toBeGreaterThan(first.width);
    expect(await byTestId('pdf-zoom').textContent()).toContain('125');
    await shot('02-pdf-page-2-zoomed');
    // The keyboard pages too.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => byTestId('pdf-canvas').getAttribute('data-rendered-page'), { timeout: UI_TIMEOUT }).toBe('1');
    await byTestId('viewer-close').click();
    await byTestId('attachment-viewer').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }, 90_000);

  it('shows a clear message for a damaged PDF instead of a blank viewer', async () => {
    await receiveAndOpen(damagedPdf(), 'broken.pdf');
    const error = byTestId('pdf-error');
    await error.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await error.getAttribute('data-failure')).toBe('damaged');
    expect(await error.textContent()).toMatch(/damaged/i);
    expect(await byTestId('pdf-canvas').count()).toBe(0);
    await shot('03-pdf-damaged');
    await byTestId('viewer-close').click();
  }, 60_000);

  it('says a password-protected PDF cannot be shown', async () => {
    await receiveAndOpen(passwordProtectedPdf(), 'locked.pdf');
    const error = byTestId('pdf-error');
    await error.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await error.getAttribute('data-failure')).toBe('encrypted');
    expect(await error.textContent()).toMatch(/password/i);
    await shot('04-pdf-password');
    await byTestId('viewer-close').click();
    // The worker ran from our origin, nothing was refused by the CSP, nothing threw.
    expect(scene!.problems).toEqual([]);
  }, 60_000);
});
