/**
 * The one AEAD of the end-to-end protocol: XChaCha20-Poly1305 (24-byte nonce, 16-byte tag).
 * Chosen over AES-GCM-SIV because it is constant-time in software on every platform the
 * phone and desktop run on, and the 24-byte nonce leaves room for random nonces if ever needed.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ProtocolError } from '../errors';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext);
}

/** Any authentication failure is DECRYPT_FAILED; nothing about the reason leaks further. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array, what: string): Uint8Array {
  if (ciphertext.length < AEAD_TAG_BYTES) throw new ProtocolError('MALFORMED', `${what}: ciphertext too short`);
  try {
    return xchacha20poly1305(key, nonce, associatedData).decrypt(ciphertext);
  } catch (cause) {
    throw new ProtocolError('DECRYPT_FAILED', `${what}: authentication failed`, { cause });
  }
}
