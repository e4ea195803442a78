/**
 * The one-time pairing offer a desktop shows as a QR code:
 *   wardline://p/<base64url(CBOR { v: 1, r: relay URL, c: channel id (16 bytes), e: desktop ephemeral X25519 (32), s: secret (16), x: expiresAt ms })>
 * The URL is the only place the secret ever travels: by light, from the desktop screen to the phone camera.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../bytes';
import type { Clock } from '../clock';
import { ProtocolError } from '../errors';
import { PAIRING_OFFER_TTL_MS } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { generateX25519, type KeyPair } from './identity';

export const PAIRING_URL_PREFIX = 'wardline://p/';
export const PAIRING_OFFER_VERSION = 1;
const MAX_URL_LENGTH = 512;

export interface PairingOffer {
  readonly relayUrl: string;
  /** Rendezvous channel id at the relay: 128 random bits, base64url. */
  readonly channelId: string;
  readonly desktopEphemeralKey: Uint8Array;
  /** 128-bit secret mixed into the channel keys: only someone who saw the QR code knows it. */
  readonly secret: Uint8Array;
  readonly expiresAt: number;
}

/** What the desktop keeps while its offer is on screen; purge it when the offer rotates away. */
export interface DesktopPairingOffer {
  readonly offer: PairingOffer;
  readonly url: string;
  readonly ephemeral: KeyPair;
}

const zRelayUrl = z
  .string()
  .max(200)
  .refine((u) => /^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(u), { message: 'relay URL must be ws:// or wss://' });

const zOfferWire = z
  .object({ v: z.literal(PAIRING_OFFER_VERSION), r: zRelayUrl, c: zBytes(16), e: zBytes(32), s: zBytes(16), x: z.number().int().nonnegative() })
  .strict();
const zHead = z.object({ v: z.number().int() }).loose();

/** The exact bytes carried by the URL; both sides hash them into the transcript. */
export function encodePairingOffer(offer: PairingOffer): Uint8Array {
  return encodeCbor({
    v: PAIRING_OFFER_VERSION,
    r: offer.relayUrl,
    c: fromBase64Url(offer.channelId),
    e: offer.desktopEphemeralKey,
    s: offer.secret,
    x: offer.expiresAt,
  });
}

export function createPairingOffer(relayUrl: string, clock: Clock, ttlMs: number = PAIRING_OFFER_TTL_MS): DesktopPairingOffer {
  if (!zRelayUrl.safeParse(relayUrl).success) throw new ProtocolError('MALFORMED', 'pairing offer: relay URL must be ws:// or wss://');
  const ephemeral = generateX25519();
  const offer: PairingOffer = {
    relayUrl,
    channelId: toBase64Url(randomBytes(16)),
    desktopEphemeralKey: ephemeral.publicKey,
    secret: randomBytes(16),
    expiresAt: clock.now() + ttlMs,
  };
  return { offer, url: encodePairingUrl(offer), ephemeral };
}

export function purgePairingOffer(o: DesktopPairingOffer): void {
  o.ephemeral.secretKey.purge();
  o.offer.secret.fill(0);
}

export function encodePairingUrl(offer: PairingOffer): string {
  return PAIRING_URL_PREFIX + toBase64Url(encodePairingOffer(offer));
}

/** Strict: anything but a well-formed, unexpired v1 offer throws ProtocolError (MALFORMED, UNSUPPORTED_VERSION, EXPIRED). */
export function parsePairingUrl(url: string, clock: Clock): PairingOffer {
  const text = url.trim();
  if (text.length > MAX_URL_LENGTH || !text.startsWith(PAIRING_URL_PREFIX)) {
    throw new ProtocolError('MALFORMED', 'pairing URL: not a wardline pairing URL');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text.slice(PAIRING_URL_PREFIX.length));
  } catch (cause) {
    throw new ProtocolError('MALFORMED', 'pairing URL: bad base64url', { cause });
  }
  const head = decodeCbor(bytes, zHead, 'pairing offer');
  if (head.v !== PAIRING_OFFER_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `pairing offer version ${head.v}`);
  const o = decodeCbor(bytes, zOfferWire, 'pairing offer');
  if (clock.now() >= o.x) throw new ProtocolError('EXPIRED', 'pairing offer expired');
  return { relayUrl: o.r, channelId: toBase64Url(o.c), desktopEphemeralKey: o.e, secret: o.s, expiresAt: o.x };
}
