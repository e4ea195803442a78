/**
 * From the code to the backup's keys: argon2id (memory-hard, @noble/hashes) over the canonical
 * code with a per-backup random salt, then HKDF-SHA256 with separate info strings for
 *   - the encryption key (XChaCha20-Poly1305 chunks), and
 *   - the verifier seed (an Ed25519 key pair: the relay stores only its public key, and a
 *     restoring phone proves knowledge of the code by signing the relay's challenge).
 * The code and anything that decrypts the backup never leave the phone.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { utf8ToBytes, wipe } from '../bytes';
import { SecretKey, type KeyPair } from '../protocol/identity';
import { BackupError } from './backup-error';
import type { RecoveryCode } from './recovery-code';

export interface KdfParams {
  readonly alg: 'argon2id';
  /** Memory in KiB. */
  readonly m: number;
  /** Passes. */
  readonly t: number;
  /** Lanes. */
  readonly p: number;
}

/** The production parameters (docs/protocol.md §16): 64 MiB, 3 passes, 1 lane — about 2 s in Node here. */
export const BACKUP_KDF_PARAMS: KdfParams = { alg: 'argon2id', m: 64 * 1024, t: 3, p: 1 };
/**
 * A restoring phone refuses a header with weaker parameters: a lying relay could otherwise make
 * the verifier signature cheap to brute-force offline.
 */
export const BACKUP_KDF_MINIMUM: KdfParams = BACKUP_KDF_PARAMS;
/** Upper bounds, so a hostile header cannot make a phone allocate without limit. */
const KDF_MAXIMUM = { m: 1024 * 1024, t: 10, p: 4 };
export const SALT_BYTES = 16;

export const zKdfParams = z
  .object({
    alg: z.literal('argon2id'),
    m: z.number().int().min(8).max(KDF_MAXIMUM.m),
    t: z.number().int().min(1).max(KDF_MAXIMUM.t),
    p: z.number().int().min(1).max(KDF_MAXIMUM.p),
  })
  .strict();

export interface BackupKeys {
  readonly encryptionKey: SecretKey;
  readonly verifier: KeyPair;
  purge(): void;
}

/** Throws BackupError WEAK_KDF when `params` are below `minimum`. */
export function requireKdfStrength(params: KdfParams, minimum: KdfParams = BACKUP_KDF_MINIMUM): void {
  if (params.m < minimum.m || params.t < minimum.t) throw new BackupError('WEAK_KDF', 'backup KDF parameters below the minimum');
}

export async function deriveBackupKeys(code: RecoveryCode, salt: Uint8Array, params: KdfParams): Promise<BackupKeys> {
  if (salt.length !== SALT_BYTES) throw new BackupError('BAD_BACKUP', 'bad salt');
  const password = utf8ToBytes(code);
  const master = await argon2idAsync(password, salt, { m: params.m, t: params.t, p: params.p, dkLen: 32 });
  const encryptionKey = new SecretKey(hkdf(sha256, master, salt, utf8ToBytes('wardline/backup/encryption/v1'), 32));
  const seed = hkdf(sha256, master, salt, utf8ToBytes('wardline/backup/verifier/v1'), 32);
  wipe(master, password);
  const verifier: KeyPair = { publicKey: ed25519.getPublicKey(seed), secretKey: new SecretKey(seed) };
  return {
    encryptionKey,
    verifier,
    purge: () => {
      encryptionKey.purge();
      verifier.secretKey.purge();
    },
  };
}
