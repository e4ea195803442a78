import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBlob, writeBlob } from './attachment-blob';

const CHUNK = 32; // small chunks keep the edge cases cheap
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wardline-blob-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, key: Uint8Array, digest?: Uint8Array): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of readBlob(path, key, digest)) parts.push(part);
  return Buffer.concat(parts);
}

function* pieces(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const key = () => new Uint8Array(randomBytes(32));

describe('attachment blobs', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])('round-trips %i bytes fed in odd-sized pieces', async (size) => {
    const data = new Uint8Array(randomBytes(size));
    const k = key();
    const path = join(dir, 'b.blob');
    const written = await writeBlob(path, k, pieces(data, 13), CHUNK);
    expect(written.size).toBe(size);
    expect(Buffer.compare(await readAll(path, k, written.digest), Buffer.from(data))).toBe(0);
    // header + one sealed chunk per full chunk + the final (possibly empty) chunk
    expect(readFileSync(path).length).toBe(16 + (Math.floor(size / CHUNK) + 1) * 16 + size);
  });

  async function sample(): Promise<{ path: string; k: Uint8Array; digest: Uint8Array; file: Buffer }> {
    const k = key();
    const path = join(dir, 's.blob');
    const { digest } = await writeBlob(path, k, [new Uint8Array(randomBytes(3 * CHUNK + 5))], CHUNK);
    return { path, k, digest, file: readFileSync(path) };
  }
  const sealed = CHUNK + 16;
  const chunkAt = (file: Buffer, i: number) => file.subarray(16 + i * sealed, 16 + (i + 1) * sealed);

  it('fails with BLOB_CORRUPT under a wrong key', async () => {
    const { path } = await sample();
    await expect(readAll(path, key())).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('detects a flipped bit', async () => {
    const { path, k, file } = await sample();
    file[16 + 40]! ^= 1;
    writeFileSync(path, file);
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('detects truncation at a chunk boundary (dropping the final chunk)', async () => {
    const { path, k, file } = await sample();
    writeFileSync(path, file.subarray(0, 16 + 3 * sealed));
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('detects reordered and duplicated chunks', async () => {
    const { path, k, file } = await sample();
    const tail = file.subarray(16 + 3 * sealed);
    writeFileSync(path, Buffer.concat([file.subarray(0, 16), chunkAt(file, 1), chunkAt(file, 0), chunkAt(file, 2), tail]));
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
    writeFileSync(path, Buffer.concat([file.subarray(0, 16), chunkAt(file, 0), chunkAt(file, 0), chunkAt(file, 1), chunkAt(file, 2), tail]));
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('detects a tampered header (chunk size) and a foreign file', async () => {
    const { path, k, file } = await sample();
    file.writeUInt32BE(CHUNK * 2, 4);
    writeFileSync(path, file);
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
    writeFileSync(path, 'not a blob at all');
    await expect(readAll(path, k)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('detects a digest mismatch (a valid blob swapped for another)', async () => {
    const { path, k } = await sample();
    await expect(readAll(path, k, new Uint8Array(32))).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('leaves no file behind when the source fails, and refuses a bad key', async () => {
    const path = join(dir, 'f.blob');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(new Uint8Array(100));
      throw new Error('source broke');
    }
    await expect(writeBlob(path, key(), failing(), CHUNK)).rejects.toThrow('source broke');
    expect(() => readFileSync(path)).toThrow();
    expect(() => readFileSync(`${path}.part`)).toThrow();
    await expect(writeBlob(path, new Uint8Array(16), [])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
