/**
 * The sealed envelope: all the relay ever sees of a message. Recipient device, envelope id,
 * timestamps and opaque ciphertext; the sender is inside the ciphertext (sealed sender).
 *
 * Layout (deterministic CBOR map, see docs/protocol.md):
 *   { v: 1, to: DeviceId, id: EnvelopeId, t: sentAt ms, x: expiresAt ms, c: ciphertext bytes }
 */
import { z } from 'zod';
import { ProtocolError } from '../errors';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { zDeviceId, zEnvelopeId, type DeviceId, type EnvelopeId } from './ids';

export const SEALED_ENVELOPE_VERSION = 1;
/** Largest ciphertext an envelope may carry; attachments travel as blobs, not in envelopes. */
export const MAX_ENVELOPE_CIPHERTEXT = 256 * 1024;

export interface SealedEnvelope {
  readonly to: DeviceId;
  readonly id: EnvelopeId;
  readonly sentAt: number;
  readonly expiresAt: number;
  readonly ciphertext: Uint8Array;
}

const zVersionOnly = z.object({ v: z.number().int() }).loose();
const zEnvelope = z
  .object({
    v: z.literal(SEALED_ENVELOPE_VERSION),
    to: zDeviceId,
    id: zEnvelopeId,
    t: z.number().int().nonnegative(),
    x: z.number().int().nonnegative(),
    c: zBytes().refine((c) => c.length > 0 && c.length <= MAX_ENVELOPE_CIPHERTEXT, { message: 'ciphertext size out of range' }),
  })
  .strict();

export function encodeSealedEnvelope(e: SealedEnvelope): Uint8Array {
  return encodeCbor({ v: SEALED_ENVELOPE_VERSION, to: e.to, id: e.id, t: e.sentAt, x: e.expiresAt, c: e.ciphertext });
}

export function decodeSealedEnvelope(bytes: Uint8Array): SealedEnvelope {
  const head = decodeCbor(bytes, zVersionOnly, 'sealed envelope');
  if (head.v !== SEALED_ENVELOPE_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `sealed envelope version ${head.v}`);
  const e = decodeCbor(bytes, zEnvelope, 'sealed envelope');
  if (e.x < e.t) throw new ProtocolError('MALFORMED', 'sealed envelope expires before it was sent');
  return { to: e.to, id: e.id, sentAt: e.t, expiresAt: e.x, ciphertext: e.c };
}
