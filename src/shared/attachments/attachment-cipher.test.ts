import { describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes';
import { ATTACHMENT_MAX_BYTES } from '../limits';
import { AttachmentDecryptor, AttachmentEncryptor, encryptedSize, newAttachmentHeader, newAttachmentKey } from './attachment-cipher';
import { AttachmentError } from './attachment-error';

function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

function encrypt(plain: Uint8Array, chunkSize = 64, key = newAttachmentKey(), pieces = 37) {
  const enc = new AttachmentEncryptor(key, plain.length, newAttachmentHeader(chunkSize));
  const out: Uint8Array[] = [];
  for (let i = 0; i < plain.length; i += pieces) out.push(...enc.push(plain.subarray(i, i + pieces)));
  const { digest, rest } = enc.finish();
  out.push(...rest);
  return { key, digest, blob: concatBytes(...out), encryptedSize: enc.encryptedSize };
}

function decrypt(blob: Uint8Array, key: Uint8Array, size: number, digest: Uint8Array, pieces = 53): Uint8Array {
  const dec = new AttachmentDecryptor(key, size, digest);
  const out: Uint8Array[] = [];
  for (let i = 0; i < blob.length; i += pieces) out.push(...dec.push(blob.subarray(i, i + pieces)));
  dec.finish();
  return concatBytes(...out);
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AttachmentError ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe('attachment cipher', () => {
  it.each([0, 1, 63, 64, 65, 640, 1000])('round-trips %i bytes with the announced ciphertext size', (size) => {
    const plain = pattern(size);
    const { key, digest, blob, encryptedSize: announced } = encrypt(plain);
    expect(blob.length).toBe(announced);
    expect(blob.length).toBe(encryptedSize(size, 64));
    expect(decrypt(blob, key, size, digest)).toEqual(plain);
  });

  it('never emits plaintext in the ciphertext', () => {
    const plain = new TextEncoder().encode('PATIENT-NAME-'.repeat(20));
    const { blob } = encrypt(plain);
    expect(Buffer.from(blob).includes(Buffer.from('PATIENT'))).toBe(false);
  });

  it('rejects a wrong key', () => {
    const { digest, blob } = encrypt(pattern(200));
    expect(code(() => decrypt(blob, newAttachmentKey(), 200, digest))).toBe('TAMPERED');
  });

  it('rejects a tampered chunk', () => {
    const { key, digest, blob } = encrypt(pattern(200));
    const bad = blob.slice();
    bad[16 + 64 + 16 + 5]! ^= 1; // inside chunk 1
    expect(code(() => decrypt(bad, key, 200, digest))).toBe('TAMPERED');
  });

  it('rejects a tampered header', () => {
    const { key, digest, blob } = encrypt(pattern(200));
    const bad = blob.slice();
    bad[12]! ^= 1;
    expect(code(() => decrypt(bad, key, 200, digest))).toBe('TAMPERED');
  });

  it('rejects reordered chunks', () => {
    const { key, digest, blob } = encrypt(pattern(256));
    const c = 64 + 16;
    const swapped = concatBytes(blob.subarray(0, 16), blob.subarray(16 + c, 16 + 2 * c), blob.subarray(16, 16 + c), blob.subarray(16 + 2 * c));
    expect(code(() => decrypt(swapped, key, 256, digest))).toBe('TAMPERED');
  });

  it('rejects a truncated blob, also when cut at a chunk boundary', () => {
    const { key, digest, blob } = encrypt(pattern(256));
    expect(code(() => decrypt(blob.subarray(0, blob.length - 3), key, 256, digest))).toBe('TRUNCATED');
    expect(code(() => decrypt(blob.subarray(0, 16 + 2 * 80), key, 256, digest))).toBe('TRUNCATED');
  });

  it('rejects a blob presented as shorter than it is (the final flag is bound)', () => {
    const { key, digest, blob } = encrypt(pattern(256));
    // Claim the file had only two chunks: chunk 1 was sealed as non-final, so it fails.
    expect(code(() => decrypt(blob.subarray(0, 16 + 2 * 80), key, 128, digest))).toBe('TAMPERED');
  });

  it('rejects bytes after the final chunk', () => {
    const { key, digest, blob } = encrypt(pattern(100));
    expect(code(() => decrypt(concatBytes(blob, new Uint8Array([0])), key, 100, digest))).toBe('TRUNCATED');
  });

  it('rejects a wrong digest (a different file under the same key)', () => {
    const { key, blob } = encrypt(pattern(100));
    expect(code(() => decrypt(blob, key, 100, new Uint8Array(32)))).toBe('DIGEST_MISMATCH');
  });

  it('encrypts deterministically for the same key and header, so an upload can resume', () => {
    const key = newAttachmentKey();
    const header = newAttachmentHeader(64);
    const run = () => {
      const enc = new AttachmentEncryptor(key, 300, header);
      return concatBytes(...enc.push(pattern(300)), ...enc.finish().rest);
    };
    expect(run()).toEqual(run());
  });

  it('refuses bad arguments and sizes', () => {
    expect(code(() => new AttachmentEncryptor(new Uint8Array(16), 1))).toBe('BAD_ARGUMENT');
    expect(code(() => new AttachmentEncryptor(newAttachmentKey(), ATTACHMENT_MAX_BYTES + 1))).toBe('TOO_LARGE');
    expect(code(() => new AttachmentDecryptor(newAttachmentKey(), -1, new Uint8Array(32)))).toBe('TOO_LARGE');
    const enc = new AttachmentEncryptor(newAttachmentKey(), 10);
    expect(code(() => enc.push(new Uint8Array(11)))).toBe('TOO_LARGE');
    const short = new AttachmentEncryptor(newAttachmentKey(), 10);
    short.push(new Uint8Array(5));
    expect(code(() => short.finish())).toBe('TRUNCATED');
  });

  it('decrypts pieces handed over as Buffers at a non-zero offset', () => {
    const plain = pattern(300);
    const { key, digest, blob } = encrypt(plain);
    const backing = Buffer.alloc(blob.length + 5, 0xee);
    backing.set(blob, 5);
    expect(decrypt(backing.subarray(5), key, plain.length, digest)).toEqual(plain);
  });

  it('keeps no view of a piece after push, so the caller may reuse its read buffer', () => {
    const plain = pattern(300);
    const { key, digest, blob } = encrypt(plain);
    const dec = new AttachmentDecryptor(key, plain.length, digest);
    const scratch = Buffer.alloc(53);
    const out: Uint8Array[] = [];
    for (let i = 0; i < blob.length; i += scratch.length) {
      const piece = blob.subarray(i, i + scratch.length);
      scratch.set(piece);
      for (const p of dec.push(scratch.subarray(0, piece.length))) out.push(p.slice());
      scratch.fill(0xaa); // the next read overwrites the buffer
    }
    dec.finish();
    expect(concatBytes(...out)).toEqual(plain);
  });
});
