/**
 * The encrypted backup as the relay stores it: a header (CBOR, public) and N ciphertext chunks.
 *
 *   header = { v: 1, a: AccountId, id: 16-byte snapshot id, at: created ms, kdf: KdfParams,
 *              salt: 16 bytes, n: chunk count, z: plaintext bytes }
 *   chunk i = ChaCha20-Poly1305(encryptionKey, nonce = 0⁸ ‖ u32be(i), plaintext slice i,
 *             ad = SHA-256(header) ‖ u32be(i) ‖ u8(last ? 1 : 0))
 * The key is unique per backup (fresh salt), so counter nonces never repeat under one key. The
 * header hash in every chunk's associated data binds chunks to this header (its salt, parameters,
 * account, id and date); the index and last flag stop reordering and truncation. A chunk or
 * header from another backup does not authenticate.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { concatBytes } from '../bytes';
import { isWardlineError } from '../errors';
import { BACKUP_CHUNK_BYTES, BACKUP_MAX_CHUNKS } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { zAccountId, type AccountId } from '../protocol/ids';
import { BackupError } from './backup-error';
import { SALT_BYTES, zKdfParams, type BackupKeys, type KdfParams } from './backup-kdf';

export const BACKUP_FORMAT_VERSION = 1;
export const SNAPSHOT_ID_BYTES = 16;

export interface BackupHeader {
  readonly accountId: AccountId;
  readonly snapshotId: Uint8Array;
  readonly createdAt: number;
  readonly kdf: KdfParams;
  readonly salt: Uint8Array;
  readonly chunkCount: number;
  readonly size: number;
}

const zHeader = z
  .object({
    v: z.literal(BACKUP_FORMAT_VERSION),
    a: zAccountId,
    id: zBytes(SNAPSHOT_ID_BYTES),
    at: z.number().int().nonnegative(),
    kdf: zKdfParams,
    salt: zBytes(SALT_BYTES),
    n: z.number().int().min(1).max(BACKUP_MAX_CHUNKS),
    z: z.number().int().nonnegative().max(BACKUP_MAX_CHUNKS * BACKUP_CHUNK_BYTES),
  })
  .strict();

export function encodeBackupHeader(h: BackupHeader): Uint8Array {
  return encodeCbor({ v: BACKUP_FORMAT_VERSION, a: h.accountId, id: h.snapshotId, at: h.createdAt, kdf: h.kdf, salt: h.salt, n: h.chunkCount, z: h.size });
}

/** Throws ProtocolError MALFORMED (or UNSUPPORTED_VERSION via the literal). */
export function decodeBackupHeader(bytes: Uint8Array): BackupHeader {
  const o = decodeCbor(bytes, zHeader, 'backup header');
  return { accountId: o.a, snapshotId: o.id, createdAt: o.at, kdf: o.kdf, salt: o.salt, chunkCount: o.n, size: o.z };
}

export interface SealedBackup {
  readonly header: Uint8Array;
  readonly chunks: readonly Uint8Array[];
}

function nonce(index: number): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setUint32(8, index);
  return n;
}

function associatedData(headerHash: Uint8Array, index: number, last: boolean): Uint8Array {
  const tail = new Uint8Array(5);
  new DataView(tail.buffer).setUint32(0, index);
  tail[4] = last ? 1 : 0;
  return concatBytes(headerHash, tail);
}

/** `header` must carry the salt and parameters `keys` were derived with. */
export function sealBackup(plaintext: Uint8Array, header: Omit<BackupHeader, 'chunkCount' | 'size'>, keys: BackupKeys): SealedBackup {
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / BACKUP_CHUNK_BYTES));
  if (chunkCount > BACKUP_MAX_CHUNKS) throw new BackupError('TOO_LARGE', 'snapshot too large for a backup');
  const headerBytes = encodeBackupHeader({ ...header, chunkCount, size: plaintext.length });
  const headerHash = sha256(headerBytes);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const slice = plaintext.subarray(i * BACKUP_CHUNK_BYTES, (i + 1) * BACKUP_CHUNK_BYTES);
    const aead = chacha20poly1305(keys.encryptionKey.bytes, nonce(i), associatedData(headerHash, i, i === chunkCount - 1));
    chunks.push(aead.encrypt(slice));
  }
  return { header: headerBytes, chunks };
}

/** Throws BackupError BAD_BACKUP for anything that does not authenticate or add up. */
export function openBackup(sealed: SealedBackup, keys: BackupKeys): Uint8Array {
  let header: BackupHeader;
  try {
    header = decodeBackupHeader(sealed.header);
  } catch (cause) {
    throw new BackupError('BAD_BACKUP', 'backup header does not decode', { cause: isWardlineError(cause) ? cause.code : undefined });
  }
  if (sealed.chunks.length !== header.chunkCount) throw new BackupError('BAD_BACKUP', 'chunk count does not match the header');
  const headerHash = sha256(sealed.header);
  const parts = sealed.chunks.map((chunk, i) => {
    try {
      return chacha20poly1305(keys.encryptionKey.bytes, nonce(i), associatedData(headerHash, i, i === header.chunkCount - 1)).decrypt(chunk);
    } catch {
      throw new BackupError('BAD_BACKUP', `chunk ${i} does not authenticate`);
    }
  });
  const plaintext = concatBytes(...parts);
  if (plaintext.length !== header.size) throw new BackupError('BAD_BACKUP', 'size does not match the header');
  return plaintext;
}
