/**
 * Device⇄relay frames. Every frame is one binary WebSocket message holding a deterministic CBOR
 * map `{ v: WIRE_VERSION, t: type, ... }`. Requests from a device carry `r`, a request id the
 * device picks (uint32); the relay answers each with `ok` (result in `x`) or `err` (code in `c`)
 * carrying the same `r`. Everything else is a one-way push. Field-by-field description:
 * docs/protocol.md §15.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import {
  RELAY_BLOB_MAX_BYTES,
  RELAY_BLOB_TRANSFER_BYTES,
  RELAY_MAX_ATTESTATION_BYTES,
  RELAY_MAX_FRAME_BYTES,
  RELAY_MAX_SIGNED_PREKEY_BYTES,
  RENDEZVOUS_MAX_MESSAGE_BYTES,
} from '../limits';
import { DIRECTORY_QUERY_MAX_CHARS, DIRECTORY_QUERY_MIN_CHARS, DIRECTORY_SEARCH_MAX_RESULTS, REVOCATION_LIST_MAX_BYTES } from '../limits';
import { BACKUP_CHUNK_BYTES, BACKUP_MAX_CHUNKS } from '../limits';
import { RELAY_ACK_BATCH_MAX } from '../limits';
import { GROUP_LISTING_MAX_BYTES, GROUP_SEARCH_MAX_RESULTS } from '../limits';
import { decodeCbor, encodeCbor } from '../protocol/codec';
import { DEVICE_KINDS } from '../protocol/device-certificate';
import { MAX_DEVICES_PER_ACCOUNT } from '../protocol/device-list';
import { zAccountId, zDeviceId, zEnvelopeId } from '../protocol/ids';
import { RELAY_ERROR_CODES } from './relay-error';

export const WIRE_VERSION = 1;
/** Largest backup header (docs/protocol.md §16); real ones are about 150 bytes. */
export const BACKUP_HEADER_MAX_BYTES = 1024;
/** One-time prekeys per `put-one-time-prekeys` frame. */
export const MAX_PREKEYS_PER_UPLOAD = 200;

const zReqId = z.number().int().min(0).max(0xffff_ffff);
const zUint32 = z.number().int().min(0).max(0xffff_ffff);
const zTime = z.number().int().nonnegative();
/** Byte fields typed as plain Uint8Array (any backing buffer), so callers can pass what they hold. */
const zBytes = (length?: number) =>
  z.custom<Uint8Array>((b) => b instanceof Uint8Array && (length === undefined || b.length === length), {
    message: length === undefined ? 'expected bytes' : `expected ${length} bytes`,
  });
const zMaxBytes = (max: number) =>
  z.custom<Uint8Array>((b) => b instanceof Uint8Array && b.length <= max, { message: `expected at most ${max} bytes` });
/** A rendezvous channel id: at least 128 random bits, base64url without padding. */
export const zRendezvousId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/);
/** An attestation name chosen by the account ("profile", "verification:<accountId>", ...). */
export const zAttestationName = z.string().regex(/^[a-z0-9][a-z0-9:._-]{0,63}$/);
/** A blob id: 256 random bits, base64url without padding; knowing it is what allows a download. */
export const zBlobId = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const zOneTimePrekey = z.object({ i: zUint32, k: zBytes(32) }).strict();

const req = <T extends string, S extends z.ZodRawShape>(t: T, shape: S) =>
  z.object({ v: z.literal(WIRE_VERSION), t: z.literal(t), r: zReqId, ...shape }).strict();
const push = <T extends string, S extends z.ZodRawShape>(t: T, shape: S) =>
  z.object({ v: z.literal(WIRE_VERSION), t: z.literal(t), ...shape }).strict();

/** Frames a device sends. */
export const zClientFrame = z.discriminatedUnion('t', [
  /** Answer to the relay's challenge: signature over relayAuthBody(...) with purpose 'relay-auth'. */
  req('auth', { a: zAccountId, d: zDeviceId, s: zBytes(64) }),
  /** Register or update an account: a signed device list and wipe commands for removed devices. */
  req('publish-device-list', { l: zMaxBytes(64 * 1024), w: z.array(zMaxBytes(1024)).max(MAX_DEVICES_PER_ACCOUNT).optional() }),
  req('get-device-list', { a: zAccountId }),
  req('put-signed-prekey', { k: zMaxBytes(RELAY_MAX_SIGNED_PREKEY_BYTES) }),
  req('put-one-time-prekeys', { k: z.array(zOneTimePrekey).max(MAX_PREKEYS_PER_UPLOAD) }),
  req('count-one-time-prekeys', {}),
  req('get-prekey-bundles', { a: zAccountId }),
  req('put-attestation', { n: zAttestationName, b: zMaxBytes(RELAY_MAX_ATTESTATION_BYTES) }),
  req('get-attestations', { a: zAccountId }),
  /** Trust (docs/trust-and-groups.md): an authority-signed verification attestation; self-authenticating, no auth needed. */
  req('publish-verification', { b: zMaxBytes(RELAY_MAX_ATTESTATION_BYTES) }),
  /** The authority's signed revocation list (higher serial than the one held). */
  req('publish-revocations', { b: zMaxBytes(REVOCATION_LIST_MAX_BYTES) }),
  /** Directory search; only for accounts with a valid verification attestation. */
  req('search-directory', { q: z.string().min(DIRECTORY_QUERY_MIN_CHARS).max(DIRECTORY_QUERY_MAX_CHARS) }),
  /** Groups (docs/trust-and-groups.md): an admin's signed listing of a discoverable group (or its withdrawal). */
  req('publish-group-listing', { b: zMaxBytes(GROUP_LISTING_MAX_BYTES) }),
  /** Discoverable-group search; only for accounts with a valid verification attestation. */
  req('search-groups', { q: z.string().min(DIRECTORY_QUERY_MIN_CHARS).max(DIRECTORY_QUERY_MAX_CHARS) }),
  /** A sealed envelope (encodeSealedEnvelope bytes). */
  req('send', { e: zMaxBytes(RELAY_MAX_FRAME_BYTES) }),
  /** The device has stored delivered envelopes (one id, or a batch); the relay may forget them. */
  push('ack', { i: z.union([zEnvelopeId, z.array(zEnvelopeId).min(1).max(RELAY_ACK_BATCH_MAX)]) }),
  req('rv-open', { c: zRendezvousId }),
  req('rv-send', { c: zRendezvousId, m: zMaxBytes(RENDEZVOUS_MAX_MESSAGE_BYTES) }),
  push('rv-close', { c: zRendezvousId }),
  /** Blob store (docs/attachments.md): reserve a blob of `s` ciphertext bytes; answers its id. */
  req('blob-create', { s: z.number().int().min(1).max(RELAY_BLOB_MAX_BYTES) }),
  /** Append `d` at offset `o`, which must equal the bytes received so far. */
  req('blob-put', { b: zBlobId, o: z.number().int().nonnegative(), d: zMaxBytes(RELAY_BLOB_TRANSFER_BYTES) }),
  req('blob-status', { b: zBlobId }),
  /** Read up to `n` bytes of a complete blob from offset `o`. */
  req('blob-get', { b: zBlobId, o: z.number().int().nonnegative(), n: z.number().int().min(1).max(RELAY_BLOB_TRANSFER_BYTES) }),
  /** Backup & Restore (docs/protocol.md §16): the phone uploads chunk `i` of the backup with header `h` and verifier key `k`. */
  req('backup-put', { h: zMaxBytes(BACKUP_HEADER_MAX_BYTES), k: zBytes(32), i: z.number().int().min(0).max(BACKUP_MAX_CHUNKS - 1), d: zMaxBytes(BACKUP_CHUNK_BYTES + 16) }),
  /** Restore step 1 (no auth): the account's backup header and a fresh challenge. */
  req('backup-challenge', { a: zAccountId }),
  /** Restore step 2: the challenge signed with the verifier key derived from the code (counts as an attempt). */
  req('backup-prove', { a: zAccountId, s: zBytes(64) }),
  /** Restore step 3, after a successful proof on this connection: chunk `i`. */
  req('backup-get', { a: zAccountId, i: z.number().int().min(0).max(BACKUP_MAX_CHUNKS - 1) }),
]);
export type ClientFrame = z.infer<typeof zClientFrame>;
export type ClientFrameType = ClientFrame['t'];
export type ClientRequest = Extract<ClientFrame, { r: number }>;
export type ClientRequestType = ClientRequest['t'];

export const RENDEZVOUS_CLOSE_REASONS = ['closed', 'expired', 'peer-left'] as const;
export type RendezvousCloseReason = (typeof RENDEZVOUS_CLOSE_REASONS)[number];

/** Frames the relay sends. */
export const zRelayFrame = z.discriminatedUnion('t', [
  /** First frame on every connection. `h` is the authority the relay expects in the auth body. */
  push('challenge', { n: zBytes(32), h: z.string().max(256) }),
  push('ok', { r: zReqId, x: z.unknown().optional() }),
  /** An error; `r` is absent when it concerns the connection rather than one request. */
  push('err', { r: zReqId.optional(), c: z.enum(RELAY_ERROR_CODES) }),
  /** A sealed envelope for this device; `i` repeats its id so the device can ack without decoding. */
  push('deliver', { i: zEnvelopeId, e: zBytes() }),
  push('wipe', { w: zBytes() }),
  push('rv-msg', { c: zRendezvousId, m: zBytes() }),
  push('rv-peer', { c: zRendezvousId }),
  push('rv-closed', { c: zRendezvousId, why: z.enum(RENDEZVOUS_CLOSE_REASONS) }),
]);
export type RelayFrame = z.infer<typeof zRelayFrame>;

/** The result (`x` of `ok`) of each request type. */
export const zResults = {
  auth: z.object({ k: z.enum(DEVICE_KINDS), x: zTime.nullable() }).strict(),
  'publish-device-list': z.object({ n: z.number().int().positive() }).strict(),
  'get-device-list': z.object({ l: zBytes().nullable() }).strict(),
  'put-signed-prekey': z.undefined(),
  'put-one-time-prekeys': z.object({ n: zUint32 }).strict(),
  'count-one-time-prekeys': z.object({ n: zUint32 }).strict(),
  'get-prekey-bundles': z
    .object({ b: z.array(z.object({ d: zDeviceId, s: zBytes(), o: zOneTimePrekey.optional() }).strict()) })
    .strict(),
  'put-attestation': z.undefined(),
  'get-attestations': z.object({ a: z.array(z.object({ n: zAttestationName, b: zBytes() }).strict()) }).strict(),
  'publish-verification': z.undefined(),
  'publish-revocations': z.undefined(),
  /** Each hit: account `a` and its verification attestation `b`, which the client verifies itself. */
  'search-directory': z.object({ h: z.array(z.object({ a: zAccountId, b: zBytes() }).strict()).max(DIRECTORY_SEARCH_MAX_RESULTS) }).strict(),
  'publish-group-listing': z.undefined(),
  /** Each hit: a signed group listing `b`, which the client verifies itself. */
  'search-groups': z.object({ h: z.array(z.object({ b: zMaxBytes(GROUP_LISTING_MAX_BYTES) }).strict()).max(GROUP_SEARCH_MAX_RESULTS) }).strict(),
  /** `s`: whether the relay stored the envelope durably or the recipient acknowledged it first. */
  send: z.object({ s: z.enum(['stored', 'delivered']) }).strict(),
  'rv-open': z.object({ p: z.number().int().min(1).max(2) }).strict(),
  'rv-send': z.undefined(),
  'blob-create': z.object({ b: zBlobId }).strict(),
  /** `n`: bytes received so far; `s`: the reserved size (complete when equal). */
  'blob-put': z.object({ n: z.number().int().nonnegative() }).strict(),
  'blob-status': z.object({ n: z.number().int().nonnegative(), s: z.number().int().positive() }).strict(),
  'blob-get': z.object({ d: zMaxBytes(RELAY_BLOB_TRANSFER_BYTES), s: z.number().int().positive() }).strict(),
  /** `s`: 'stored' once every chunk of the backup is in and it replaced the previous one. */
  'backup-put': z.object({ s: z.enum(['staged', 'stored']) }).strict(),
  'backup-challenge': z.object({ h: zMaxBytes(BACKUP_HEADER_MAX_BYTES), n: zBytes(32) }).strict(),
  'backup-prove': z.object({ n: z.number().int().min(1).max(BACKUP_MAX_CHUNKS) }).strict(),
  'backup-get': z.object({ d: zMaxBytes(BACKUP_CHUNK_BYTES + 16) }).strict(),
} satisfies Record<ClientRequestType, z.ZodType>;
export type ResultOf<T extends ClientRequestType> = z.infer<(typeof zResults)[T]>;

const zHead = z.object({ v: z.number().int(), t: z.string() }).loose();

function decodeFrame<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  const head = decodeCbor(bytes, zHead, what);
  if (head.v !== WIRE_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `${what}: version ${head.v}`);
  const parsed = schema.safeParse(head);
  if (!parsed.success) throw new ProtocolError('MALFORMED', `${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Throws ProtocolError MALFORMED or UNSUPPORTED_VERSION. */
export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  return decodeFrame(bytes, zClientFrame, 'client frame');
}

/** Throws ProtocolError MALFORMED or UNSUPPORTED_VERSION. */
export function decodeRelayFrame(bytes: Uint8Array): RelayFrame {
  return decodeFrame(bytes, zRelayFrame, 'relay frame');
}

/** Frames are built without `v`; optional fields must be left out rather than set to undefined. */
type WithoutVersion<F> = F extends unknown ? Omit<F, 'v'> : never;
export type ClientFrameBody = WithoutVersion<ClientFrame>;
export type RelayFrameBody = WithoutVersion<RelayFrame>;

export function encodeClientFrame(frame: ClientFrameBody): Uint8Array {
  return encodeCbor({ v: WIRE_VERSION, ...frame });
}

export function encodeRelayFrame(frame: RelayFrameBody): Uint8Array {
  return encodeCbor({ v: WIRE_VERSION, ...frame });
}
