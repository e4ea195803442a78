/**
 * Attachment encryption for transfer through the relay blob store (docs/attachments.md). Each
 * attachment gets a fresh random 256-bit key that travels only inside the end-to-end encrypted
 * message, together with the plaintext size and SHA-256 digest.
 *
 *   blob    = header | chunk 0 | chunk 1 | ... | chunk n-1
 *   header  = "WLA1" | u32be chunkSize | 8 random bytes                           (16 bytes)
 *   chunk i = ChaCha20-Poly1305(key, nonce_i, ad_i, plaintext_i)                    (plaintext <= chunkSize, +16 tag)
 *   nonce_i = header[8..15] | u32be i | final (1 on the last chunk, else 0)
 *   ad_i    = header | u32be i | final
 *
 * Every chunk but the last holds exactly chunkSize bytes; the last holds 0..chunkSize (an empty
 * file is one empty final chunk). Binding the index and final flag into every chunk makes
 * reordering, dropping or truncation fail authentication; the announced size fixes where the
 * final chunk must be, and the digest is checked once the last chunk is in.
 *
 * Plaintext from earlier chunks is authenticated but the whole-file digest is known only after the
 * last one: consumers must treat the data as provisional until `finish()` returns.
 *
 * Both directions are incremental: push pieces of any size, get whole chunks out, so neither
 * side ever holds more than one chunk. Encryption is deterministic given key and header, which
 * is what lets an interrupted upload resume by re-encrypting and skipping what the relay has.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual, copyBytes, utf8ToBytes } from '../bytes';
import { ATTACHMENT_CHUNK_BYTES, ATTACHMENT_MAX_BYTES } from '../limits';
import { AttachmentError } from './attachment-error';

export const ATTACHMENT_KEY_BYTES = 32;
export const ATTACHMENT_HEADER_BYTES = 16;
const TAG_BYTES = 16;
const MAGIC = utf8ToBytes('WLA1');
const MAX_CHUNK_BYTES = 1024 * 1024;

export function newAttachmentKey(): Uint8Array {
  return randomBytes(ATTACHMENT_KEY_BYTES);
}

export function newAttachmentHeader(chunkSize = ATTACHMENT_CHUNK_BYTES): Uint8Array {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) throw new AttachmentError('BAD_ARGUMENT', 'bad chunk size');
  const header = new Uint8Array(ATTACHMENT_HEADER_BYTES);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint32(4, chunkSize);
  header.set(randomBytes(8), 8);
  return header;
}

function chunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** Ciphertext length of a blob holding `size` plaintext bytes. */
export function encryptedSize(size: number, chunkSize = ATTACHMENT_CHUNK_BYTES): number {
  return ATTACHMENT_HEADER_BYTES + size + TAG_BYTES * chunkCount(size, chunkSize);
}

function chunkCipher(key: Uint8Array, header: Uint8Array, index: number, final: boolean) {
  const tail = new Uint8Array(5);
  new DataView(tail.buffer).setUint32(0, index);
  tail[4] = final ? 1 : 0;
  return chacha20poly1305(key, concatBytes(header.subarray(8, 15), tail), concatBytes(header, tail));
}

function checkKey(key: Uint8Array): void {
  if (key.length !== ATTACHMENT_KEY_BYTES) throw new AttachmentError('BAD_ARGUMENT', 'attachment key must be 32 bytes');
}

/**
 * Encrypts a plaintext of a size known in advance (the relay reserves the blob at that size and
 * the size goes into the message). `push` returns the ciphertext ready so far; the header is
 * the first output.
 */
export class AttachmentEncryptor {
  readonly #key: Uint8Array;
  readonly #header: Uint8Array;
  readonly #chunkSize: number;
  readonly #size: number;
  readonly #hash = sha256.create();
  #pending: Uint8Array;
  #filled = 0;
  #index = 0;
  #consumed = 0;
  #headerOut = false;

  constructor(key: Uint8Array, size: number, header: Uint8Array = newAttachmentHeader()) {
    checkKey(key);
    if (!Number.isInteger(size) || size < 0 || size > ATTACHMENT_MAX_BYTES) throw new AttachmentError('TOO_LARGE', 'attachment too large');
    if (header.length !== ATTACHMENT_HEADER_BYTES || !MAGIC.every((b, i) => header[i] === b)) throw new AttachmentError('BAD_ARGUMENT', 'bad header');
    this.#chunkSize = new DataView(header.buffer, header.byteOffset).getUint32(4);
    if (this.#chunkSize < 1 || this.#chunkSize > MAX_CHUNK_BYTES) throw new AttachmentError('BAD_ARGUMENT', 'bad chunk size');
    this.#key = key;
    this.#header = header;
    this.#size = size;
    this.#pending = new Uint8Array(Math.min(this.#chunkSize, size));
  }

  get header(): Uint8Array {
    return this.#header;
  }

  get size(): number {
    return this.#size;
  }

  get encryptedSize(): number {
    return encryptedSize(this.#size, this.#chunkSize);
  }

  push(piece: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (!this.#headerOut) {
      out.push(this.#header);
      this.#headerOut = true;
    }
    if (this.#consumed + piece.length > this.#size) throw new AttachmentError('TOO_LARGE', 'more bytes than announced');
    this.#consumed += piece.length;
    this.#hash.update(piece);
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(this.#pending.length - this.#filled, piece.length - offset);
      this.#pending.set(piece.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#pending.length) out.push(this.#seal());
    }
    if (this.#size === 0 && this.#index === 0) out.push(this.#seal());
    return out;
  }

  /** Checks that exactly `size` bytes came in; returns the plaintext digest (SHA-256). */
  finish(): { readonly digest: Uint8Array; readonly rest: Uint8Array[] } {
    const rest = this.push(new Uint8Array(0));
    if (this.#consumed !== this.#size || this.#index !== chunkCount(this.#size, this.#chunkSize)) {
      throw new AttachmentError('TRUNCATED', 'fewer bytes than announced');
    }
    return { digest: this.#hash.digest(), rest };
  }

  #seal(): Uint8Array {
    const count = chunkCount(this.#size, this.#chunkSize);
    const final = this.#index === count - 1;
    const sealed = chunkCipher(this.#key, this.#header, this.#index, final).encrypt(this.#pending);
    this.#index++;
    const remaining = this.#size - this.#index * this.#chunkSize;
    this.#pending = new Uint8Array(Math.max(0, Math.min(this.#chunkSize, remaining)));
    this.#filled = 0;
    return sealed;
  }
}

/** Decrypts a blob of a known plaintext size and digest (both from the authenticated message). */
export class AttachmentDecryptor {
  readonly #key: Uint8Array;
  readonly #size: number;
  readonly #digest: Uint8Array;
  readonly #hash = sha256.create();
  #header: Uint8Array | undefined;
  #chunkSize = 0;
  #buffer: Uint8Array = new Uint8Array(0);
  #index = 0;
  #done = false;

  constructor(key: Uint8Array, size: number, digest: Uint8Array) {
    checkKey(key);
    if (!Number.isInteger(size) || size < 0 || size > ATTACHMENT_MAX_BYTES) throw new AttachmentError('TOO_LARGE', 'attachment too large');
    this.#key = key;
    this.#size = size;
    this.#digest = digest;
  }

  /** Returns the plaintext authenticated so far. Throws AttachmentError TAMPERED / TRUNCATED. */
  push(piece: Uint8Array): Uint8Array[] {
    if (this.#done && piece.length > 0) throw new AttachmentError('TRUNCATED', 'bytes after the final chunk');
    this.#buffer = this.#buffer.length ? concatBytes(this.#buffer, piece) : piece;
    const out: Uint8Array[] = [];
    if (!this.#header) {
      if (this.#buffer.length < ATTACHMENT_HEADER_BYTES) return this.#keepRest(piece, out);
      // A copy (kept for every chunk's AD): .slice() on a Buffer piece would be a view into it.
      const header = copyBytes(this.#buffer, 0, ATTACHMENT_HEADER_BYTES);
      if (!MAGIC.every((b, i) => header[i] === b)) throw new AttachmentError('TAMPERED', 'bad blob header');
      this.#chunkSize = new DataView(header.buffer).getUint32(4);
      if (this.#chunkSize < 1 || this.#chunkSize > MAX_CHUNK_BYTES) throw new AttachmentError('TAMPERED', 'bad chunk size');
      this.#header = header;
      this.#buffer = this.#buffer.subarray(ATTACHMENT_HEADER_BYTES);
    }
    const count = chunkCount(this.#size, this.#chunkSize);
    while (!this.#done) {
      const final = this.#index === count - 1;
      const plainLength = final ? this.#size - this.#index * this.#chunkSize : this.#chunkSize;
      const sealedLength = plainLength + TAG_BYTES;
      if (this.#buffer.length < sealedLength) break;
      let plain: Uint8Array;
      try {
        plain = chunkCipher(this.#key, this.#header, this.#index, final).decrypt(this.#buffer.subarray(0, sealedLength));
      } catch (cause) {
        throw new AttachmentError('TAMPERED', 'attachment chunk failed authentication', { cause });
      }
      this.#buffer = this.#buffer.subarray(sealedLength);
      this.#hash.update(plain);
      this.#index++;
      if (final) {
        this.#done = true;
        if (this.#buffer.length > 0) throw new AttachmentError('TRUNCATED', 'bytes after the final chunk');
        if (!constantTimeEqual(this.#hash.digest(), this.#digest)) throw new AttachmentError('DIGEST_MISMATCH', 'attachment digest mismatch');
      }
      if (plain.length > 0) out.push(plain);
    }
    return this.#keepRest(piece, out);
  }

  /** The unprocessed rest must not stay a view of `piece`: the caller may reuse it once push returns. */
  #keepRest(piece: Uint8Array, out: Uint8Array[]): Uint8Array[] {
    if (this.#buffer.length > 0 && this.#buffer.buffer === piece.buffer) this.#buffer = copyBytes(this.#buffer);
    return out;
  }

  /** Throws TRUNCATED unless the final chunk was authenticated (and the digest matched). */
  finish(): void {
    if (!this.#done) throw new AttachmentError('TRUNCATED', 'blob ended early');
  }
}
