/**
 * Chunked renderer → core uploads end to end (real relay process, desktop core driven through
 * the API dispatch, companion phones): a file of the full attachment limit (100 MiB) goes over
 * `attachments.beginUpload / uploadChunk / commitUpload` and phone B receives exactly those
 * bytes; a GPS-tagged photo sent in chunks under a non-image MIME type still arrives clean; bad
 * calls are refused at the API border (schema) or by the core's state checks; no plaintext is
 * left on disk. Prints the time the 100 MiB hand-over and send took.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import type { DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import { jpegWithMetadata } from '../src/shared/attachments/image-fixtures';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_UPLOAD_CHUNK_BYTES } from '../src/shared/limits';
import type { AttachmentContent } from '../src/shared/messages/content';
import { coreApiCaller, createRealTimeCore, pairCoreWith, recordCoreEvents, type RecordedEvents } from './support/core-api';
import { filesUnder } from './support/files-under';
import { SENT_OR_DELIVERED } from './support/message-states';

const MARKER = 'PLANTED-chunked-scan-de-Vries-MRI';

let relay: RelayProcess;
let dataDir: string;
let phoneA: CompanionPhone;
let phoneB: CompanionPhone;
let core: DesktopCore;
let recorded: RecordedEvents;
let conversationId = '';
const call = coreApiCaller(() => core, createCoreLogger({ level: 'silent' }));

/** Chunk `index` of a deterministic large file (with a planted marker at its start), made on demand. */
function chunkOf(index: number, size: number): Buffer {
  const start = index * ATTACHMENT_UPLOAD_CHUNK_BYTES;
  const out = Buffer.alloc(Math.min(ATTACHMENT_UPLOAD_CHUNK_BYTES, size - start));
  for (let i = 0; i < out.length; i += 4) out.writeUInt32LE(((start + i) * 2654435761) >>> 0, i);
  out.write(MARKER, 0, 'latin1');
  return out;
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'NO_ERROR';
}

function photo(): Uint8Array {
  const width = 32;
  const height = 24;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.writeUInt32BE(0x80402000 + ((i * 89) & 0xff) * 0x10000 + 0xff, i * 4);
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

beforeAll(async () => {
  relay = await spawnRelay();
  dataDir = mkdtempSync(join(tmpdir(), 'wardline-chunked-e2e-'));
  phoneA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Eva de Vries', profession: 'Radiology' } });
  phoneB = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Sam Peters', profession: 'Neurology' } });
  core = await createRealTimeCore({ dataDir, relayUrl: relay.url, workstationName: 'Radiology reading room' });
  recorded = recordCoreEvents(core);
  await pairCoreWith(call, recorded, phoneA);
  conversationId = (await call('conversations.start', { accountId: phoneB.accountId })).id;
}, 90_000);

afterAll(async () => {
  await core?.close();
  await phoneA?.close();
  await phoneB?.close();
  await relay?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('chunked attachment uploads (real relay)', () => {
  it('sends a file of the full 100 MiB limit in 1 MiB chunks; phone B receives exactly it', async () => {
    const size = ATTACHMENT_MAX_BYTES;
    const began = Date.now();
    const { uploadId, chunkBytes } = await call('attachments.beginUpload', { conversationId, fileName: 'mri-series.dcm', mimeType: 'application/dicom', size });
    expect(chunkBytes).toBe(ATTACHMENT_UPLOAD_CHUNK_BYTES);
    const sha = createHash('sha256');
    const chunks = Math.ceil(size / chunkBytes);
    for (let index = 0; index < chunks; index++) {
      const chunk = chunkOf(index, size);
      sha.update(chunk);
      const { received } = await call('attachments.uploadChunk', { uploadId, index, data: chunk.toString('base64') });
      expect(received).toBe(Math.min(size, (index + 1) * chunkBytes));
    }
    const handedOver = Date.now();
    const sent = await call('attachments.commitUpload', { uploadId, caption: 'MRI for the tumour board' });
    const committed = Date.now();
    expect(sent).toMatchObject({ state: SENT_OR_DELIVERED, body: 'MRI for the tumour board', attachments: [{ kind: 'file', size }] });

    const received = await phoneB.waitForMessage((m) => m.content.kind === 'attachment' && m.content.id === sent.id, 60_000);
    const content = received.content as AttachmentContent;
    expect(content).toMatchObject({ fileName: 'mri-series.dcm', mimeType: 'application/dicom', size });
    const bytes = await phoneB.fetchAttachment(content);
    const fetched = Date.now();
    expect(bytes.length).toBe(size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha.digest('hex'));
    console.log(`100 MiB: hand-over ${handedOver - began} ms, commit + encrypt + relay upload ${committed - handedOver} ms, phone download ${fetched - committed} ms`);
  }, 300_000);

  it('cleans a GPS-tagged photo sent in chunks under a non-image type', async () => {
    const tagged = Buffer.from(jpegWithMetadata(photo()));
    const { uploadId } = await call('attachments.beginUpload', { conversationId, fileName: 'photo.bin', mimeType: 'application/octet-stream', size: tagged.length });
    await call('attachments.uploadChunk', { uploadId, index: 0, data: tagged.toString('base64') });
    const sent = await call('attachments.commitUpload', { uploadId });
    const received = await phoneB.waitForMessage((m) => m.content.kind === 'attachment' && m.content.id === sent.id, 15_000);
    const bytes = await phoneB.fetchAttachment(received.content as AttachmentContent);
    expect(await exifr.gps(bytes)).toBeUndefined();
    expect(Buffer.from(bytes).includes(Buffer.from('Exif'))).toBe(false);
  }, 60_000);

  it('refuses bad calls at the border and in the core', async () => {
    // Schema (zod at dispatch): size over the limit, a chunk over 1 MiB, a negative index, unknown fields.
    expect(await errorCode(call('attachments.beginUpload', { conversationId, fileName: 'x.pdf', mimeType: 'application/pdf', size: ATTACHMENT_MAX_BYTES + 1 }))).toBe('INVALID_INPUT');
    const { uploadId } = await call('attachments.beginUpload', { conversationId, fileName: 'x.pdf', mimeType: 'application/pdf', size: 2 * ATTACHMENT_UPLOAD_CHUNK_BYTES });
    const tooBig = Buffer.alloc(ATTACHMENT_UPLOAD_CHUNK_BYTES + 3).toString('base64');
    expect(await errorCode(call('attachments.uploadChunk', { uploadId, index: 0, data: tooBig }))).toBe('INVALID_INPUT');
    expect(await errorCode(call('attachments.uploadChunk', { uploadId, index: -1, data: 'AAAA' }))).toBe('INVALID_INPUT');
    expect(await errorCode(call('attachments.uploadChunk', { uploadId, index: 0, data: 'AAAA', extra: 1 } as never))).toBe('INVALID_INPUT');
    // State (the core): out of order, commit before complete, unknown id, unknown conversation.
    expect(await errorCode(call('attachments.uploadChunk', { uploadId, index: 1, data: Buffer.alloc(ATTACHMENT_UPLOAD_CHUNK_BYTES).toString('base64') }))).toBe('INVALID_INPUT');
    expect(await errorCode(call('attachments.commitUpload', { uploadId }))).toBe('INVALID_INPUT');
    expect(await errorCode(call('attachments.uploadChunk', { uploadId: 'f'.repeat(32), index: 0, data: 'AAAA' }))).toBe('NOT_FOUND');
    expect(await errorCode(call('attachments.beginUpload', { conversationId: 'no-such-conversation', fileName: 'x.pdf', mimeType: 'application/pdf', size: 1 }))).toBe('NOT_FOUND');
    await call('attachments.abortUpload', { uploadId });
    expect(await errorCode(call('attachments.commitUpload', { uploadId }))).toBe('NOT_FOUND');
  }, 30_000);

  it('leaves no plaintext and no spool on disk', () => {
    const files = filesUnder(dataDir);
    expect(files.filter((f) => f.endsWith('.spool'))).toEqual([]);
    for (const file of files) expect(readFileSync(file).includes(Buffer.from(MARKER)), file).toBe(false);
  });
});
