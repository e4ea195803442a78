/**
 * The Double Ratchet's key derivation functions (docs/protocol.md, "Double Ratchet").
 * Their outputs are pinned by known-answer tests: changing a constant here breaks every
 * session with an existing peer, so it must be a new protocol version instead.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '../bytes';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES } from './aead';

export const ROOT_KDF_INFO = 'wardline/ratchet-root/v1';
export const MESSAGE_KDF_INFO = 'wardline/ratchet-message/v1';
const ROOT_INFO = utf8ToBytes(ROOT_KDF_INFO);
const MESSAGE_INFO = utf8ToBytes(MESSAGE_KDF_INFO);
const MESSAGE_KEY_SEED = new Uint8Array([0x01]);
const CHAIN_KEY_SEED = new Uint8Array([0x02]);
const ZERO_SALT = new Uint8Array(32);

/** KDF_RK: HKDF-SHA256(salt = root key, ikm = DH output, info) → 64 bytes = new root key ‖ chain key. */
export function kdfRoot(rootKey: Uint8Array, dhOutput: Uint8Array): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const out = hkdf(sha256, dhOutput, rootKey, ROOT_INFO, 64);
  // Views, not copies: wiping a returned key then wipes the HKDF output itself, leaving no stray copy.
  return { rootKey: out.subarray(0, 32), chainKey: out.subarray(32, 64) };
}

/** KDF_CK: message key = HMAC-SHA256(ck, 0x01), next chain key = HMAC-SHA256(ck, 0x02). */
export function kdfChain(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  return { messageKey: hmac(sha256, chainKey, MESSAGE_KEY_SEED), chainKey: hmac(sha256, chainKey, CHAIN_KEY_SEED) };
}

/**
 * The AEAD key and nonce for one message: HKDF-SHA256(salt = 32 zero bytes, ikm = message key,
 * info) → 56 bytes = key (32) ‖ nonce (24). A message key is used once, so a derived nonce is safe.
 */
export function messageKeys(messageKey: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const out = hkdf(sha256, messageKey, ZERO_SALT, MESSAGE_INFO, AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: out.subarray(0, AEAD_KEY_BYTES), nonce: out.subarray(AEAD_KEY_BYTES) };
}
