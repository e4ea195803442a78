import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/clock';
import { ATTACHMENT_IMAGE_MAX_BYTES, ATTACHMENT_UPLOAD_CHUNK_BYTES as CHUNK, ATTACHMENT_UPLOAD_IDLE_MS, ATTACHMENT_UPLOADS_MAX } from '../../../shared/limits';
import { ChunkedUploads, type UploadRefusal } from './chunked-upload';

let dir: string;
let clock: FakeClock;
let uploads: ChunkedUploads;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wardline-chunked-upload-'));
  clock = new FakeClock(1_000_000);
  uploads = new ChunkedUploads(dir, clock);
});

afterEach(async () => {
  await uploads.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Deterministic bytes that contain a planted marker, so the spool can be searched for it. */
function fileOf(size: number, marker = 'PLANTED-chunked-upload-Jansen'): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 9)) & 0xff;
  const text = new TextEncoder().encode(marker);
  for (let at = 0; at + text.length <= size; at += 200_000) out.set(text, at);
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; refusal: UploadRefusal }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, refusal: e.message as UploadRefusal };
  }
  throw new Error('expected a refusal');
}

/** Byte equality without a deep comparison element by element (megabytes here). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

const start = (size: number, mimeType = 'application/pdf') => uploads.begin({ conversationId: 'c1', fileName: 'report.pdf', mimeType, size });

describe('chunked uploads', () => {
  it('takes a multi-chunk file in order and hands back exactly those bytes, never plaintext on disk', async () => {
    const file = fileOf(2 * CHUNK + 12_345);
    const { uploadId, chunkBytes } = await start(file.length);
    expect(chunkBytes).toBe(CHUNK);
    expect(await uploads.chunk(uploadId, 0, file.subarray(0, CHUNK))).toEqual({ received: CHUNK });
    expect(await uploads.chunk(uploadId, 1, file.subarray(CHUNK, 2 * CHUNK))).toEqual({ received: 2 * CHUNK });
    expect(await uploads.chunk(uploadId, 2, file.subarray(2 * CHUNK))).toEqual({ received: file.length });
    const staged = await uploads.finish(uploadId);
    expect(staged).toMatchObject({ conversationId: 'c1', fileName: 'report.pdf', size: file.length, image: false });
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).includes('PLANTED-chunked-upload')).toBe(false);
    expect(same(await collect(staged.open()), file)).toBe(true);
    await staged.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(uploads.openCount).toBe(0);
  });

  it('accepts an empty file with no chunks', async () => {
    const { uploadId } = await start(0);
    const staged = await uploads.finish(uploadId);
    expect(await collect(staged.open())).toEqual(new Uint8Array(0));
    await staged.discard();
  });

  it('refuses an unknown upload id (also after commit or abort)', async () => {
    expect(await refusal(uploads.chunk('nope', 0, new Uint8Array(1)))).toEqual({ code: 'NOT_FOUND', refusal: 'UPLOAD_UNKNOWN' });
    expect(await refusal(uploads.finish('nope'))).toEqual({ code: 'NOT_FOUND', refusal: 'UPLOAD_UNKNOWN' });
    expect(await refusal(uploads.abort('nope'))).toEqual({ code: 'NOT_FOUND', refusal: 'UPLOAD_UNKNOWN' });
    const { uploadId } = await start(10);
    await uploads.chunk(uploadId, 0, fileOf(10));
    await (await uploads.finish(uploadId)).discard();
    expect((await refusal(uploads.chunk(uploadId, 1, new Uint8Array(1)))).refusal).toBe('UPLOAD_UNKNOWN');
    const other = await start(10);
    await uploads.abort(other.uploadId);
    expect((await refusal(uploads.finish(other.uploadId))).refusal).toBe('UPLOAD_UNKNOWN');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses chunks out of order, skipped or repeated with other bytes', async () => {
    const file = fileOf(3 * CHUNK);
    const { uploadId } = await start(file.length);
    expect(await refusal(uploads.chunk(uploadId, 1, file.subarray(CHUNK, 2 * CHUNK)))).toEqual({ code: 'INVALID_INPUT', refusal: 'UPLOAD_CHUNK_ORDER' });
    await uploads.chunk(uploadId, 0, file.subarray(0, CHUNK));
    expect((await refusal(uploads.chunk(uploadId, 2, file.subarray(2 * CHUNK)))).refusal).toBe('UPLOAD_CHUNK_ORDER');
    // A retried call with the same bytes is fine; the same index with different bytes is not.
    expect(await uploads.chunk(uploadId, 0, file.subarray(0, CHUNK))).toEqual({ received: CHUNK });
    expect((await refusal(uploads.chunk(uploadId, 0, file.subarray(CHUNK, 2 * CHUNK)))).refusal).toBe('UPLOAD_CHUNK_ORDER');
    // The upload is still usable after the refusals.
    await uploads.chunk(uploadId, 1, file.subarray(CHUNK, 2 * CHUNK));
    await uploads.chunk(uploadId, 2, file.subarray(2 * CHUNK));
    const staged = await uploads.finish(uploadId);
    expect(same(await collect(staged.open()), file)).toBe(true);
    await staged.discard();
  });

  it('refuses more bytes than announced and short chunks before the last', async () => {
    const { uploadId } = await start(CHUNK + 10);
    expect(await refusal(uploads.chunk(uploadId, 0, fileOf(CHUNK - 1)))).toEqual({ code: 'INVALID_INPUT', refusal: 'UPLOAD_CHUNK_SIZE' });
    expect((await refusal(uploads.chunk(uploadId, 0, fileOf(CHUNK + 1)))).refusal).toBe('UPLOAD_CHUNK_SIZE');
    expect((await refusal(uploads.chunk(uploadId, 0, new Uint8Array(0)))).refusal).toBe('UPLOAD_CHUNK_SIZE');
    await uploads.chunk(uploadId, 0, fileOf(CHUNK));
    expect((await refusal(uploads.chunk(uploadId, 1, fileOf(11)))).refusal).toBe('UPLOAD_TOO_LARGE');
    const small = await start(5);
    expect((await refusal(uploads.chunk(small.uploadId, 0, fileOf(6)))).refusal).toBe('UPLOAD_TOO_LARGE');
  });

  it('refuses a commit before every byte arrived, and lets the upload continue', async () => {
    const file = fileOf(CHUNK + 1);
    const { uploadId } = await start(file.length);
    expect(await refusal(uploads.finish(uploadId))).toEqual({ code: 'INVALID_INPUT', refusal: 'UPLOAD_INCOMPLETE' });
    await uploads.chunk(uploadId, 0, file.subarray(0, CHUNK));
    expect((await refusal(uploads.finish(uploadId))).refusal).toBe('UPLOAD_INCOMPLETE');
    await uploads.chunk(uploadId, 1, file.subarray(CHUNK));
    await (await uploads.finish(uploadId)).discard();
  });

  it('refuses sizes over the attachment limit, pictures over the image limit, bad names and too many uploads', async () => {
    expect((await refusal(start(100 * 1024 * 1024 + 1))).refusal).toBe('UPLOAD_TOO_LARGE');
    expect((await refusal(start(-1))).refusal).toBe('UPLOAD_TOO_LARGE');
    expect((await refusal(start(ATTACHMENT_IMAGE_MAX_BYTES + 1, 'image/png'))).refusal).toBe('IMAGE_TOO_LARGE');
    expect((await refusal(uploads.begin({ conversationId: 'c1', fileName: '../etc/passwd', mimeType: 'text/plain', size: 1 }))).refusal).toBe('FILE_NAME_OR_TYPE');
    for (let i = 0; i < ATTACHMENT_UPLOADS_MAX; i++) await start(1);
    expect(await refusal(start(1))).toEqual({ code: 'INVALID_INPUT', refusal: 'UPLOAD_TOO_MANY' });
  });

  it('recognises a picture by its bytes whatever the MIME type says (it will be cleaned whole)', async () => {
    // Only the signature matters here; cleaning the picture is the service's (and image-metadata's) job.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3]);
    const { uploadId } = await start(png.length, 'application/octet-stream');
    await uploads.chunk(uploadId, 0, png);
    const staged = await uploads.finish(uploadId);
    expect(staged.image).toBe(true);
    await staged.discard();
    // A renamed picture larger than the image limit is refused at its first chunk.
    const big = await start(ATTACHMENT_IMAGE_MAX_BYTES + CHUNK, 'application/octet-stream');
    const first = new Uint8Array(CHUNK);
    first.set(png.subarray(0, 16));
    expect((await refusal(uploads.chunk(big.uploadId, 0, first))).refusal).toBe('IMAGE_TOO_LARGE');
  });

  it('expires an abandoned upload after the idle time and deletes its spool', async () => {
    const { uploadId } = await start(2 * CHUNK);
    await uploads.chunk(uploadId, 0, fileOf(CHUNK));
    expect(readdirSync(dir).length).toBe(1);
    clock.advance(ATTACHMENT_UPLOAD_IDLE_MS - 1);
    expect(await uploads.expire()).toBe(0);
    clock.advance(1);
    expect(await uploads.expire()).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect((await refusal(uploads.chunk(uploadId, 1, fileOf(CHUNK)))).refusal).toBe('UPLOAD_UNKNOWN');
  });

  it('keeps an upload alive while chunks keep coming', async () => {
    const file = fileOf(3 * CHUNK);
    const { uploadId } = await start(file.length);
    for (let i = 0; i < 3; i++) {
      clock.advance(ATTACHMENT_UPLOAD_IDLE_MS - 1);
      await uploads.chunk(uploadId, i, file.subarray(i * CHUNK, (i + 1) * CHUNK));
    }
    await (await uploads.finish(uploadId)).discard();
  });

  it('clears spool files left by a previous run', () => {
    writeFileSync(join(dir, 'left-over.spool'), 'noise');
    new ChunkedUploads(dir, clock);
    expect(readdirSync(dir)).toEqual([]);
  });
});
