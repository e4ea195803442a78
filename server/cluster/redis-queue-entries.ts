/**
 * Where the Redis envelope queue keeps things and how a stream entry reads back. A stream per
 * device (`wl:q:D`, fields e/x/b), an index from envelope id to stream entry (`wl:qi:D`, for
 * duplicates and acks), one expiry index (`wl:qexp`) and the device's presence (`wl:at:D`).
 * Redis is shared by every node and by whatever else can reach it, so an entry is only ours if
 * it is exactly what this relay writes.
 */
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';

export const queueKeys = {
  stream: (d: DeviceId) => `wl:q:${d}`,
  index: (d: DeviceId) => `wl:qi:${d}`,
  expiry: 'wl:qexp',
  presence: (d: DeviceId) => `wl:at:${d}`,
} as const;

const MAX_ENVELOPE_BYTES = 300 * 1024;
const ID = /^[0-9a-f]{32}$/;

/** An envelope as its stream entry holds it: id, expiry, the bytes the sender sent. */
export interface StreamEnvelope {
  readonly e: EnvelopeId;
  readonly x: number;
  readonly b: Uint8Array;
}

/** A stream entry as this relay writes it (e, x, b), or undefined for anything else. */
export function parseStreamEntry(fields: readonly Buffer[]): StreamEnvelope | undefined {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const e = map.get('e')?.toString();
  const x = Number(map.get('x')?.toString());
  const b = map.get('b');
  if (!e || !ID.test(e) || !Number.isSafeInteger(x) || !b || b.length === 0 || b.length > MAX_ENVELOPE_BYTES) return undefined;
  return { e: e as EnvelopeId, x, b: new Uint8Array(b) };
}
