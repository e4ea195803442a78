/**
 * The messages of the pairing handshake (layouts in docs/protocol.md §14). Only `hello`
 * travels in the clear; every other message is the plaintext of a PairingDirection frame.
 *
 *   hello    P→D clear      { v: 1, e: phone ephemeral X25519, p: frame 0 of P→D sealing {t:"hello"} (key confirmation) }
 *   desktop  D→P frame 0    { t: "desktop", w: workstationId, n: name, d: deviceId, sk: Ed25519 pub, dk: X25519 pub }
 *   reject   P→D frame 1    { t: "reject" }
 *   accept   P→D frame 1    { t: "accept", ik: identity key, c: device certificate, l: signed device list,
 *                             pr: { n, p } profile, k?: database key (re-pair only), s: snapshot chunk count,
 *                             bk?: Backup & Restore code (docs/protocol.md §16) }
 *   snap     P→D frames 2.. { t: "snap", b: chunk of the encoded snapshot }
 *   done     D→P frame 1    { t: "done", k?: new database key (present iff accept had none) }
 */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import { PAIRING_SNAPSHOT_MAX_BYTES, RENDEZVOUS_MAX_MESSAGE_BYTES } from '../limits';
import { zProfileWire } from '../messages/profile';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { zDeviceId } from './ids';

/** Room left in a rendezvous message for CBOR framing and the AEAD tag around a snapshot chunk. */
export const SNAPSHOT_CHUNK_BYTES = RENDEZVOUS_MAX_MESSAGE_BYTES - 256;
export const MAX_SNAPSHOT_CHUNKS = Math.ceil(PAIRING_SNAPSHOT_MAX_BYTES / SNAPSHOT_CHUNK_BYTES);
export const DATABASE_KEY_BYTES = 32;

export const zWorkstationId = z.string().regex(/^[0-9a-f]{32}$/);

export const zHello = z.object({ v: z.literal(1), e: zBytes(32), p: z.object({ n: z.literal(0), c: zBytes() }).strict() }).strict();

export const zPairingMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello') }).strict(),
  z
    .object({ t: z.literal('desktop'), w: zWorkstationId, n: z.string().min(1).max(100), d: zDeviceId, sk: zBytes(32), dk: zBytes(32) })
    .strict(),
  z.object({ t: z.literal('reject') }).strict(),
  z
    .object({
      t: z.literal('accept'),
      ik: zBytes(32),
      c: zBytes().refine((b) => b.length <= 1024, { message: 'certificate too large' }),
      l: zBytes().refine((b) => b.length <= 8 * 1024, { message: 'device list too large' }),
      pr: zProfileWire,
      k: zBytes(DATABASE_KEY_BYTES).optional(),
      s: z.number().int().min(1).max(MAX_SNAPSHOT_CHUNKS),
      /** Optional (added with Backup & Restore): the account's code, shown on the desktop's Security key screen; kept in memory only. */
      bk: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{28}$/).optional(),
    })
    .strict(),
  z.object({ t: z.literal('snap'), b: zBytes().refine((b) => b.length >= 1 && b.length <= SNAPSHOT_CHUNK_BYTES, { message: 'bad chunk' }) }).strict(),
  z.object({ t: z.literal('done'), k: zBytes(DATABASE_KEY_BYTES).optional() }).strict(),
]);
export type PairingMessage = z.infer<typeof zPairingMessage>;
type Kind = PairingMessage['t'];

export function encodeHello(phoneEphemeralKey: Uint8Array, proof: { n: number; c: Uint8Array }): Uint8Array {
  return encodeCbor({ v: 1, e: phoneEphemeralKey, p: proof });
}

/** Outgoing messages may hold any Uint8Array (subarrays included), not only the ArrayBuffer-backed ones the parser yields. */
type Outgoing<T> = { [K in keyof T]: T[K] extends Uint8Array ? Uint8Array : T[K] extends Uint8Array | undefined ? Uint8Array | undefined : T[K] };
export type OutgoingPairingMessage = PairingMessage extends infer M ? (M extends unknown ? Outgoing<M> : never) : never;

export function encodePairingMessage(m: OutgoingPairingMessage): Uint8Array {
  return encodeCbor(m);
}

/** Decodes and insists on the kinds the current step allows; anything else is MALFORMED. */
export function decodePairingMessage<K extends Kind>(bytes: Uint8Array, allowed: readonly K[]): Extract<PairingMessage, { t: K }> {
  const m = decodeCbor(bytes, zPairingMessage, 'pairing message');
  if (!(allowed as readonly Kind[]).includes(m.t)) throw new ProtocolError('MALFORMED', `pairing: unexpected ${m.t} message`);
  return m as Extract<PairingMessage, { t: K }>;
}

