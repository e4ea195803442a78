/**
 * Messages between relay nodes over Redis pub/sub (CBOR, parsed with a schema: a node never
 * trusts what arrives on a channel). Envelopes travel as the same opaque bytes devices sent.
 */
import { z } from 'zod';
import { decodeCbor, encodeCbor, zBytes } from '../../src/shared/protocol/codec';
import { zAccountId, zDeviceId, zEnvelopeId } from '../../src/shared/protocol/ids';
import { RENDEZVOUS_CLOSE_REASONS } from '../../src/shared/wire/frames';

const zEnvelopeMessage = z.object({ k: z.literal('env'), d: zDeviceId, e: zEnvelopeId, x: z.number().int(), b: zBytes() });
const zReplacedMessage = z.object({ k: z.literal('replaced'), d: zDeviceId });
const zRendezvousMessage = z.object({
  k: z.literal('rv'),
  c: z.string().min(1).max(64),
  /** The party the event is for: 'a' opened the channel, 'b' joined it. */
  to: z.enum(['a', 'b']),
  ev: z.enum(['peer', 'msg', 'closed']),
  m: zBytes().optional(),
  why: z.enum(RENDEZVOUS_CLOSE_REASONS).optional(),
});
/**
 * What changed, with the new values (so a node applies it the moment it arrives, in publication
 * order, before the devices concerned can reach it); ids without values are reloaded from Redis.
 */
const zDirectoryMessage = z.object({
  k: z.literal('dir'),
  /** The node that wrote the change (it already applied it). */
  o: z.string(),
  a: zAccountId.optional(),
  ae: zBytes().optional(),
  d: z.array(zDeviceId).optional(),
  de: z.array(z.tuple([zBytes(), z.enum(['active', 'revoked', 'expired'])])).optional(),
  /** Attestation fields (`account/name`). */
  t: z.array(z.string()).optional(),
  te: z.array(zBytes()).optional(),
  w: z.array(zDeviceId).optional(),
  we: z.array(zBytes()).optional(),
});

export const zClusterMessage = z.discriminatedUnion('k', [zEnvelopeMessage, zReplacedMessage, zRendezvousMessage, zDirectoryMessage]);
export type ClusterMessage = z.infer<typeof zClusterMessage>;
export type EnvelopeMessage = z.infer<typeof zEnvelopeMessage>;
export type RendezvousMessage = z.infer<typeof zRendezvousMessage>;
export type DirectoryMessage = z.infer<typeof zDirectoryMessage>;

export function encodeClusterMessage(message: ClusterMessage): Uint8Array {
  // Optional fields left undefined are not CBOR: drop them.
  return encodeCbor(Object.fromEntries(Object.entries(message).filter(([, v]) => v !== undefined)));
}

/** Throws ProtocolError('MALFORMED') for anything that is not one of our messages. */
export function decodeClusterMessage(bytes: Uint8Array): ClusterMessage {
  return decodeCbor(bytes, zClusterMessage, 'cluster message');
}
