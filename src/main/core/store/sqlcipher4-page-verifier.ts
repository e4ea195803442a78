/**
 * Test support: an independent reader of the SQLCipher 4 page format, written against SQLCipher's
 * published design with node:crypto only, to prove our files are standard SQLCipher 4 (Debian's
 * sqlcipher CLI is 3.x and cannot open them). Defaults of SQLCipher 4 with a raw key:
 *
 * - page size 4096; every page ends with 80 reserved bytes: a 16-byte IV, then a 64-byte HMAC-SHA512.
 * - page 1 starts with the 16-byte KDF salt in place of "SQLite format 3\0"; its encrypted region
 *   starts at byte 16. Other pages are encrypted from byte 0.
 * - data: AES-256-CBC, no padding, key = the raw 32-byte key, IV from the page.
 * - HMAC key = PBKDF2-HMAC-SHA512(raw key, salt XOR 0x3a per byte, 2 iterations, 32 bytes).
 * - HMAC-SHA512 over (encrypted region || IV || page number as 4-byte little-endian).
 *
 * WAL frames (24-byte frame header, then one page image) hold pages in the same format.
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export const SQLCIPHER4_PAGE_SIZE = 4096;
export const SQLCIPHER4_RESERVE = 80;
const SALT_LENGTH = 16;
const IV_LENGTH = 16;
const HMAC_LENGTH = 64;
const HMAC_SALT_MASK = 0x3a;
const FAST_KDF_ITERATIONS = 2;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const WAL_HEADER_LENGTH = 32;
const WAL_FRAME_HEADER_LENGTH = 24;

export class PageVerificationError extends Error {}

export interface VerifiedPages {
  /** Decrypted page images keyed by page number (the latest WAL frame wins for WAL input). */
  readonly pages: Map<number, Buffer>;
  readonly salt: Buffer;
}

export function deriveHmacKey(key: Uint8Array, salt: Uint8Array): Buffer {
  const hmacSalt = Buffer.from(salt).map((b) => b ^ HMAC_SALT_MASK);
  return pbkdf2Sync(key, hmacSalt, FAST_KDF_ITERATIONS, 32, 'sha512');
}

/** Authenticates and decrypts one page image; page 1 comes back with the SQLite magic restored. */
export function decryptPage(page: Buffer, pageNumber: number, key: Uint8Array, hmacKey: Buffer): Buffer {
  if (page.length !== SQLCIPHER4_PAGE_SIZE) throw new PageVerificationError(`page ${pageNumber}: wrong size ${page.length}`);
  const start = pageNumber === 1 ? SALT_LENGTH : 0;
  const reserveAt = SQLCIPHER4_PAGE_SIZE - SQLCIPHER4_RESERVE;
  const encrypted = page.subarray(start, reserveAt);
  const iv = page.subarray(reserveAt, reserveAt + IV_LENGTH);
  const mac = page.subarray(reserveAt + IV_LENGTH, reserveAt + IV_LENGTH + HMAC_LENGTH);
  const pageNo = Buffer.alloc(4);
  pageNo.writeUInt32LE(pageNumber);
  const expected = createHmac('sha512', hmacKey).update(encrypted).update(iv).update(pageNo).digest();
  if (!timingSafeEqual(expected, mac)) throw new PageVerificationError(`page ${pageNumber}: HMAC mismatch`);
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  const out = Buffer.alloc(SQLCIPHER4_PAGE_SIZE);
  if (pageNumber === 1) SQLITE_MAGIC.copy(out, 0);
  plain.copy(out, start);
  return out;
}

/** Checks the plaintext header fields SQLCipher 4 must produce on page 1. */
export function checkDatabaseHeader(page1: Buffer): void {
  const pageSize = page1.readUInt16BE(16);
  const reserve = page1[20];
  // Bytes 21..23 are fixed by the SQLite file format (payload fractions 64/32/32).
  if (pageSize !== SQLCIPHER4_PAGE_SIZE || reserve !== SQLCIPHER4_RESERVE || page1[21] !== 64 || page1[22] !== 32 || page1[23] !== 32) {
    throw new PageVerificationError('page 1 does not decrypt to a SQLCipher 4 SQLite header');
  }
}

/** Verifies every page of a database file. The salt is read from the file's first 16 bytes. */
export function verifyDatabaseFile(file: Buffer, key: Uint8Array): VerifiedPages {
  if (file.length === 0 || file.length % SQLCIPHER4_PAGE_SIZE !== 0) throw new PageVerificationError('file is not a whole number of pages');
  const salt = Buffer.from(file.subarray(0, SALT_LENGTH));
  const hmacKey = deriveHmacKey(key, salt);
  const pages = new Map<number, Buffer>();
  for (let n = 1; n * SQLCIPHER4_PAGE_SIZE <= file.length; n++) {
    pages.set(n, decryptPage(file.subarray((n - 1) * SQLCIPHER4_PAGE_SIZE, n * SQLCIPHER4_PAGE_SIZE), n, key, hmacKey));
  }
  checkDatabaseHeader(pages.get(1)!);
  return { pages, salt };
}

/**
 * Verifies every frame of a WAL file with the salt of its database. Frames left over from before a
 * WAL reset are still whole encrypted pages under the same key, so all frames must verify.
 */
export function verifyWalFile(wal: Buffer, key: Uint8Array, salt: Uint8Array): VerifiedPages {
  const hmacKey = deriveHmacKey(key, salt);
  const pages = new Map<number, Buffer>();
  const frameLength = WAL_FRAME_HEADER_LENGTH + SQLCIPHER4_PAGE_SIZE;
  if (wal.length < WAL_HEADER_LENGTH) return { pages, salt: Buffer.from(salt) };
  if (wal.readUInt32BE(8) !== SQLCIPHER4_PAGE_SIZE) throw new PageVerificationError('WAL page size is not 4096');
  for (let at = WAL_HEADER_LENGTH; at + frameLength <= wal.length; at += frameLength) {
    const pageNumber = wal.readUInt32BE(at);
    const image = wal.subarray(at + WAL_FRAME_HEADER_LENGTH, at + frameLength);
    pages.set(pageNumber, decryptPage(image, pageNumber, key, hmacKey));
  }
  return { pages, salt: Buffer.from(salt) };
}
