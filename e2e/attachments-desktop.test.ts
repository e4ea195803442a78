/**
 * Attachments end to end through a real relay process: the desktop core (paired with phone A)
 * sends a photo carrying GPS tags to phone B, which receives it without them; phone B sends a
 * document and a photo back, which the desktop fetches into its encrypted store, lists in the
 * media library and returns through `attachments.get`. The data directory never holds the
 * plaintext.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { ManualTimers } from '../src/main/core/scheduling/manual-timers';
import { CompanionPhone } from '../src/phone/companion-phone';
import type { ApiEventName, ApiEventPayload } from '../src/shared/api';
import { jpegWithMetadata } from '../src/shared/attachments/image-fixtures';
import { systemClock } from '../src/shared/clock';
import type { AttachmentContent } from '../src/shared/messages/content';
import { coreApiCaller } from './support/core-api';
import { filesUnder } from './support/files-under';
import { SENT_OR_DELIVERED } from './support/message-states';

const PLANTED_PDF = 'PLANTED-lab-report-Jansen-potassium-6.1';

let relay: RelayProcess;
let dataDir: string;
let phoneA: CompanionPhone;
let phoneB: CompanionPhone;
let core: DesktopCore;
const events: { event: ApiEventName; payload: unknown }[] = [];

const call = coreApiCaller(() => core, createCoreLogger({ level: 'silent' }));

async function waitForEvent<E extends ApiEventName>(event: E, predicate: (p: ApiEventPayload<E>) => boolean, timeoutMs = 15_000): Promise<ApiEventPayload<E>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find((e) => e.event === event && predicate(e.payload as ApiEventPayload<E>));
    if (found) return found.payload as ApiEventPayload<E>;
    if (Date.now() > deadline) throw new Error(`no ${event} in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function photo(): Uint8Array {
  const width = 32;
  const height = 24;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.writeUInt32BE(0x80402000 + ((i * 97) & 0xff) * 0x10000 + 0xff, i * 4);
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

beforeAll(async () => {
  relay = await spawnRelay();
  dataDir = mkdtempSync(join(tmpdir(), 'wardline-attachments-e2e-'));
  phoneA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Anna Visser', profession: 'Internal medicine' } });
  phoneB = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Nurse Bram de Vries', profession: 'Nursing' } });
  core = await createDesktopCore({
    dataDir,
    relayUrl: relay.url,
    workstationName: 'Ward 4 nursing station',
    clock: systemClock,
    // Real time for the core (the relay and phones use it too); no time rule is exercised here.
    timers: new ManualTimers({ now: () => systemClock.now(), advance: () => undefined }),
    logger: createCoreLogger({ level: 'silent' }),
  });
  core.subscribe((event, payload) => events.push({ event, payload }));
  const offer = await call('pairing.start', {});
  await phoneA.pairDesktop(offer.url, { approve: () => true });
  await waitForEvent('pairing.progress', (p) => p.step === 'completed');
}, 60_000);

afterAll(async () => {
  await core?.close();
  await phoneA?.close();
  await phoneB?.close();
  await relay?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('attachments between the desktop core and companion phones (real relay)', () => {
  let conversationId = '';

  it('sends a photo with GPS tags; the receiving phone gets it without them, and the pixels unchanged', async () => {
    conversationId = (await call('conversations.start', { accountId: phoneB.accountId })).id;
    const original = photo();
    const tagged = jpegWithMetadata(original);
    expect(await exifr.gps(tagged)).toMatchObject({ latitude: expect.closeTo(52.5167, 3) as number });

    const sent = await call('messages.sendAttachment', {
      conversationId,
      fileName: 'wound-day3.jpg',
      mimeType: 'image/jpeg',
      data: Buffer.from(tagged).toString('base64'),
      caption: 'left heel',
    });
    expect(sent).toMatchObject({ state: SENT_OR_DELIVERED, body: 'left heel', attachments: [{ kind: 'image', size: original.length }] });
    const progress = events.filter((e) => e.event === 'attachment.progress').map((e) => e.payload as ApiEventPayload<'attachment.progress'>);
    expect(progress.at(-1)).toMatchObject({ messageId: sent.id, direction: 'upload' });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);

    const received = await phoneB.waitForMessage((m) => m.content.kind === 'attachment' && m.content.id === sent.id, 15_000);
    const content = received.content as AttachmentContent;
    expect(content).toMatchObject({ fileName: 'wound-day3.jpg', mimeType: 'image/jpeg', caption: 'left heel' });
    const bytes = await phoneB.fetchAttachment(content);
    expect(await exifr.gps(bytes)).toBeUndefined();
    expect(await exifr.parse(bytes, { tiff: true, xmp: true, iptc: true })).toBeUndefined();
    expect(Buffer.from(bytes).includes(Buffer.from('Exif'))).toBe(false);
    expect(Buffer.from(jpeg.decode(bytes).data).equals(Buffer.from(jpeg.decode(original).data))).toBe(true);
    // Own-device sync: phone A gets the copy and can open it too.
    const copy = await phoneA.waitForMessage((m) => m.content.kind === 'attachment' && m.content.id === sent.id, 15_000);
    expect(copy.ownCopy).toBe(true);
    expect(Buffer.from(await phoneA.fetchAttachment(copy.content as AttachmentContent)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fetches what phone B sends into the encrypted store; the media library lists it and attachments.get opens it', async () => {
    const pdf = new TextEncoder().encode(`%PDF-1.4\n% ${PLANTED_PDF}\n${'x'.repeat(200_000)}\n%%EOF\n`);
    const pdfId = await phoneB.sendAttachment(phoneA.accountId, { bytes: pdf, fileName: 'lab-report.pdf', mimeType: 'application/pdf' });
    const pictureId = await phoneB.sendAttachment(phoneA.accountId, { bytes: jpegWithMetadata(photo()), fileName: 'ecg.jpg', mimeType: 'image/jpeg' });
    const updated = await waitForEvent('message.updated', (m) => m.id === pdfId && m.attachments.length === 1);
    expect(updated.attachments[0]).toMatchObject({ kind: 'pdf', size: pdf.length });
    await waitForEvent('message.updated', (m) => m.id === pictureId && m.attachments.length === 1);
    expect(events.some((e) => e.event === 'attachment.progress' && (e.payload as { direction: string }).direction === 'download')).toBe(true);

    const inConversation = await call('attachments.list', { conversationId });
    expect(inConversation.map((i) => [i.fileName, i.kind, i.direction])).toEqual([
      ['ecg.jpg', 'image', 'in'],
      ['lab-report.pdf', 'pdf', 'in'],
      ['wound-day3.jpg', 'image', 'out'],
    ]);
    expect((await call('attachments.list', {})).length).toBe(3);
    const pdfItem = inConversation.find((i) => i.kind === 'pdf')!;
    const file = await call('attachments.get', { attachmentId: pdfItem.id });
    expect(Buffer.from(file.data, 'base64').equals(Buffer.from(pdf))).toBe(true);
    const picture = await call('attachments.get', { attachmentId: inConversation[0]!.id });
    expect(await exifr.gps(Buffer.from(picture.data, 'base64'))).toBeUndefined();

    // Nothing under the data directory holds the document in the clear.
    for (const f of filesUnder(dataDir)) expect(readFileSync(f).includes(Buffer.from(PLANTED_PDF)), f).toBe(false);
  });

  it('refuses bad input: unknown conversation, bad base64, unclean image formats, path-like names', async () => {
    const data = Buffer.from('hello').toString('base64');
    await expect(call('messages.sendAttachment', { conversationId: 'nope', fileName: 'a.txt', mimeType: 'text/plain', data })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call('messages.sendAttachment', { conversationId, fileName: 'a.txt', mimeType: 'text/plain', data: '***' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const gif = Buffer.from('GIF89a\u0001\u0000\u0001\u0000').toString('base64');
    await expect(call('messages.sendAttachment', { conversationId, fileName: 'a.gif', mimeType: 'image/gif', data: gif })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call('messages.sendAttachment', { conversationId, fileName: '../a.txt', mimeType: 'text/plain', data })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call('attachments.get', { attachmentId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
