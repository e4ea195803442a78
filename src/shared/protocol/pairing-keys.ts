/**
 * Key schedule and framing of the pairing channel.
 *
 *   transcript = SHA-256("wardline/pairing/v1/transcript" || 0x00 || offerBytes || phoneEphemeralKey)
 *   ikm        = X25519(ephemeral, peer ephemeral) || offer secret
 *   kPD / kDP  = HKDF-SHA256(ikm, salt = transcript, info = "wardline/pairing/v1/phone-to-desktop" / ".../desktop-to-phone", 32)
 *   code       = HKDF-SHA256(ikm, salt = transcript, info = "wardline/pairing/v1/confirmation-code", 4) as uint32 mod 10^6, 6 digits
 *
 * Each direction has its own key and a counter starting at 0; frame n is
 *   CBOR { v: 1, n, c: XChaCha20-Poly1305(key, nonce = 20 zero bytes || uint32be(n), ad = transcript || uint32be(n)) }
 * and the receiver accepts only the next counter, so a replayed, dropped or reordered frame ends the handshake.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { concatBytes, utf8ToBytes, wipe } from '../bytes';
import { ProtocolError } from '../errors';
import { RENDEZVOUS_MAX_MESSAGE_BYTES } from '../limits';
import { aeadOpen, aeadSeal, AEAD_NONCE_BYTES } from './aead';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { dh } from './diffie-hellman';

const INFO_PHONE_TO_DESKTOP = 'wardline/pairing/v1/phone-to-desktop';
const INFO_DESKTOP_TO_PHONE = 'wardline/pairing/v1/desktop-to-phone';
const INFO_CODE = 'wardline/pairing/v1/confirmation-code';
const TRANSCRIPT_LABEL = 'wardline/pairing/v1/transcript';
export const PAIRING_FRAME_VERSION = 1;
const MAX_FRAMES_PER_DIRECTION = 64;

export interface PairingKeys {
  readonly transcript: Uint8Array;
  readonly phoneToDesktop: Uint8Array;
  readonly desktopToPhone: Uint8Array;
  /** Six digits, shown on both screens. */
  readonly confirmationCode: string;
}

export function pairingTranscript(offerBytes: Uint8Array, phoneEphemeralKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(TRANSCRIPT_LABEL), new Uint8Array([0]), offerBytes, phoneEphemeralKey));
}

export function derivePairingKeys(
  ownEphemeralSecret: Uint8Array,
  peerEphemeralKey: Uint8Array,
  secret: Uint8Array,
  transcript: Uint8Array,
): PairingKeys {
  const shared = dh(ownEphemeralSecret, peerEphemeralKey);
  const ikm = concatBytes(shared, secret);
  try {
    const codeBytes = hkdf(sha256, ikm, transcript, utf8ToBytes(INFO_CODE), 4);
    const code = new DataView(codeBytes.buffer, codeBytes.byteOffset, 4).getUint32(0) % 1_000_000;
    return {
      transcript,
      phoneToDesktop: hkdf(sha256, ikm, transcript, utf8ToBytes(INFO_PHONE_TO_DESKTOP), 32),
      desktopToPhone: hkdf(sha256, ikm, transcript, utf8ToBytes(INFO_DESKTOP_TO_PHONE), 32),
      confirmationCode: code.toString().padStart(6, '0'),
    };
  } finally {
    wipe(shared, ikm);
  }
}

export function purgePairingKeys(keys: PairingKeys): void {
  wipe(keys.phoneToDesktop, keys.desktopToPhone);
}

function counterBytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function nonceFor(n: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  nonce.set(counterBytes(n), AEAD_NONCE_BYTES - 4);
  return nonce;
}

const zFrame = z
  .object({ v: z.literal(PAIRING_FRAME_VERSION), n: z.number().int().min(0).max(MAX_FRAMES_PER_DIRECTION), c: zBytes() })
  .strict();

/** One direction of the channel: seals outgoing or opens incoming frames in strict counter order. */
export class PairingDirection {
  #counter: number;
  readonly #key: Uint8Array;
  readonly #transcript: Uint8Array;

  constructor(key: Uint8Array, transcript: Uint8Array, firstCounter = 0) {
    this.#key = key;
    this.#transcript = transcript;
    this.#counter = firstCounter;
  }

  sealRaw(plaintext: Uint8Array): { n: number; c: Uint8Array } {
    const n = this.#counter++;
    if (n > MAX_FRAMES_PER_DIRECTION) throw new ProtocolError('MALFORMED', 'pairing: too many frames');
    return { n, c: aeadSeal(this.#key, nonceFor(n), plaintext, concatBytes(this.#transcript, counterBytes(n))) };
  }

  openRaw(n: number, ciphertext: Uint8Array): Uint8Array {
    if (n < this.#counter) throw new ProtocolError('REPLAY', 'pairing: frame counter already used');
    if (n > this.#counter) throw new ProtocolError('MALFORMED', 'pairing: frame out of order');
    const plaintext = aeadOpen(this.#key, nonceFor(n), ciphertext, concatBytes(this.#transcript, counterBytes(n)), 'pairing frame');
    this.#counter++;
    return plaintext;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    const frame = encodeCbor({ v: PAIRING_FRAME_VERSION, ...this.sealRaw(plaintext) });
    if (frame.length > RENDEZVOUS_MAX_MESSAGE_BYTES) throw new ProtocolError('MALFORMED', 'pairing: frame too large');
    return frame;
  }

  open(frame: Uint8Array): Uint8Array {
    if (frame.length > RENDEZVOUS_MAX_MESSAGE_BYTES) throw new ProtocolError('MALFORMED', 'pairing: frame too large');
    const f = decodeCbor(frame, zFrame, 'pairing frame');
    return this.openRaw(f.n, f.c);
  }
}
