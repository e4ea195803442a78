/**
 * The verification authority's Ed25519 key pair, kept by the admin in a JSON file readable only
 * by its owner: { "publicKey": hex, "secretKey": hex }. Relays get `--authority-key <publicKey>`
 * and clients are configured with the same public key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { bytesToHex, constantTimeEqual, hexToBytes } from '../shared/bytes';
import { WardlineError } from '../shared/errors';

export type AdminErrorCode = 'BAD_KEY_FILE' | 'KEY_FILE_EXISTS' | 'BAD_ARGUMENT' | 'UNKNOWN_ACCOUNT' | 'IDENTITY_MISMATCH';
export class AdminError extends WardlineError<AdminErrorCode> {}

export interface AuthorityKey {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

const zHex32 = z.string().regex(/^[0-9a-f]{64}$/);
const zKeyFile = z.object({ publicKey: zHex32, secretKey: zHex32 }).strict();

export function generateAuthorityKey(path: string): AuthorityKey {
  const { secretKey, publicKey } = ed25519.keygen();
  try {
    // 'wx': never overwrite an authority key, that would orphan every attestation it signed.
    writeFileSync(path, `${JSON.stringify({ publicKey: bytesToHex(publicKey), secretKey: bytesToHex(secretKey) })}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new AdminError('KEY_FILE_EXISTS', 'authority key file already exists', { cause: e });
  }
  return { publicKey, secretKey };
}

export function loadAuthorityKey(path: string): AuthorityKey {
  let parsed;
  try {
    parsed = zKeyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new AdminError('BAD_KEY_FILE', 'authority key file unreadable', { cause: e });
  }
  const key = { publicKey: hexToBytes(parsed.publicKey), secretKey: hexToBytes(parsed.secretKey) };
  if (!constantTimeEqual(ed25519.getPublicKey(key.secretKey), key.publicKey)) throw new AdminError('BAD_KEY_FILE', 'public key does not match secret key');
  return key;
}
