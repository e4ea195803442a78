/**
 * A restoring phone proves it knows the code without sending it: it signs the relay's fresh
 * challenge with the verifier key derived from the code (purpose 'backup-restore').
 *   body = CBOR { a: AccountId, n: 32-byte challenge, h: SHA-256(backup header) }
 * The header hash ties the proof to the backup the relay announced.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCbor } from '../protocol/codec';
import type { AccountId } from '../protocol/ids';
import { sign, verify } from '../protocol/signing';
import type { BackupKeys } from './backup-kdf';

export function restoreProofBody(accountId: AccountId, challenge: Uint8Array, header: Uint8Array): Uint8Array {
  return encodeCbor({ a: accountId, n: challenge, h: sha256(header) });
}

export function signRestoreProof(keys: BackupKeys, accountId: AccountId, challenge: Uint8Array, header: Uint8Array): Uint8Array {
  return sign('backup-restore', restoreProofBody(accountId, challenge, header), keys.verifier.secretKey.bytes);
}

export function verifyRestoreProof(verifierKey: Uint8Array, signature: Uint8Array, accountId: AccountId, challenge: Uint8Array, header: Uint8Array): boolean {
  return verify('backup-restore', signature, restoreProofBody(accountId, challenge, header), verifierKey);
}
