/**
 * Every structure on the wire or signed is deterministic CBOR (RFC 8949 core deterministic
 * encoding, via cborg) and is parsed with a schema on the way in: a decoder never trusts input.
 */
import { decode as cborDecode, encode as cborEncode } from 'cborg';
import { z } from 'zod';
import { ProtocolError } from '../errors';

export function encodeCbor(value: unknown): Uint8Array {
  return cborEncode(value);
}

/** Decode CBOR and validate it; any failure is ProtocolError('MALFORMED'). */
export function decodeCbor<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = cborDecode(bytes, { strict: true, useMaps: false, rejectDuplicateMapKeys: true });
  } catch (cause) {
    throw new ProtocolError('MALFORMED', `${what}: not valid CBOR`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ProtocolError('MALFORMED', `${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export const zBytes = (length?: number) =>
  length === undefined
    ? z.instanceof(Uint8Array)
    : z.instanceof(Uint8Array).refine((b) => b.length === length, { message: `expected ${length} bytes` });
