/**
 * The ratchet message header, a fixed 41-byte layout that is authenticated as associated data:
 *   version (1 byte, = 1) ‖ sender ratchet public key (32) ‖ PN (uint32 BE) ‖ N (uint32 BE)
 * A ratchet message is header ‖ AEAD ciphertext (plaintext length + 16-byte tag).
 */
import { copyBytes } from '../bytes';
import { ProtocolError } from '../errors';
import { AEAD_TAG_BYTES } from './aead';

export const RATCHET_VERSION = 1;
export const RATCHET_HEADER_BYTES = 41;
const MAX_COUNTER = 0xffff_ffff;

export interface RatchetHeader {
  readonly dh: Uint8Array;
  /** Number of messages in the sender's previous sending chain. */
  readonly pn: number;
  /** Number of this message in the current sending chain. */
  readonly n: number;
}

export function encodeRatchetHeader(h: RatchetHeader): Uint8Array {
  if (h.dh.length !== 32) throw new ProtocolError('MALFORMED', 'ratchet header: bad key length');
  if (h.pn > MAX_COUNTER || h.n > MAX_COUNTER) throw new ProtocolError('TOO_MANY_SKIPPED', 'ratchet header: counter overflow');
  const out = new Uint8Array(RATCHET_HEADER_BYTES);
  const view = new DataView(out.buffer);
  out[0] = RATCHET_VERSION;
  out.set(h.dh, 1);
  view.setUint32(33, h.pn, false);
  view.setUint32(37, h.n, false);
  return out;
}

/** Splits a ratchet message into its header (raw bytes and fields) and ciphertext. */
export function decodeRatchetMessage(message: Uint8Array): { header: RatchetHeader; headerBytes: Uint8Array; ciphertext: Uint8Array } {
  if (message.length < 1) throw new ProtocolError('MALFORMED', 'ratchet message: empty');
  if (message[0] !== RATCHET_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `ratchet message version ${message[0]}`);
  if (message.length < RATCHET_HEADER_BYTES + AEAD_TAG_BYTES) throw new ProtocolError('MALFORMED', 'ratchet message: truncated');
  // A copy, not message.slice(): on a Buffer that is a view at some offset into a shared pool,
  // which the DataView below would misread and the ratchet would keep (header.dh) as an alias.
  const headerBytes = copyBytes(message, 0, RATCHET_HEADER_BYTES);
  const view = new DataView(headerBytes.buffer);
  return {
    header: { dh: headerBytes.slice(1, 33), pn: view.getUint32(33, false), n: view.getUint32(37, false) },
    headerBytes,
    ciphertext: message.subarray(RATCHET_HEADER_BYTES),
  };
}
