/**
 * What a device keeps per remote device: the remote's certified X25519 key the sessions are
 * bound to, and the ratchet states — the current one first, then a few earlier ones, because
 * two devices that start a session with each other at the same time each receive the other's
 * first message after switching to their own.
 */
import { z } from 'zod';
import { constantTimeEqual } from '../bytes';
import { SESSION_ARCHIVED_STATES } from '../limits';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { zPrekeyId } from './prekeys';
import type { X3dhInitiation } from './x3dh';

export interface SessionState {
  /** Serialised DoubleRatchet. */
  readonly ratchet: Uint8Array;
  /** The X3DH ephemeral key that started the session; names it on both sides. */
  readonly baseKey: Uint8Array;
  /** Initiator side: repeated in every message until the responder has answered. */
  readonly pending?: X3dhInitiation;
}

export interface SessionRecord {
  readonly remoteDhKey: Uint8Array;
  readonly states: readonly SessionState[];
}

const zInitiation = z.object({ e: zBytes(32), s: zPrekeyId, o: zPrekeyId.optional() }).strict();
const zRecord = z
  .object({
    v: z.literal(1),
    k: zBytes(32),
    s: z
      .array(z.object({ r: zBytes(), b: zBytes(32), p: zInitiation.optional() }).strict())
      .min(1)
      .max(1 + SESSION_ARCHIVED_STATES),
  })
  .strict();

export function encodeSessionRecord(r: SessionRecord): Uint8Array {
  return encodeCbor({
    v: 1,
    k: r.remoteDhKey,
    s: r.states.map((s) => ({
      r: s.ratchet,
      b: s.baseKey,
      ...(s.pending
        ? { p: { e: s.pending.ephemeralKey, s: s.pending.signedPrekeyId, ...(s.pending.oneTimePrekeyId !== undefined ? { o: s.pending.oneTimePrekeyId } : {}) } }
        : {}),
    })),
  });
}

export function decodeSessionRecord(bytes: Uint8Array): SessionRecord {
  const o = decodeCbor(bytes, zRecord, 'session record');
  return {
    remoteDhKey: o.k,
    states: o.s.map((s) => ({
      ratchet: s.r,
      baseKey: s.b,
      ...(s.p ? { pending: { ephemeralKey: s.p.e, signedPrekeyId: s.p.s, ...(s.p.o !== undefined ? { oneTimePrekeyId: s.p.o } : {}) } } : {}),
    })),
  };
}

/** Puts `state` first, drops any older copy of it (same base key) and the oldest beyond the cap. */
export function withCurrentState(record: SessionRecord | undefined, remoteDhKey: Uint8Array, state: SessionState): SessionRecord {
  const rest = (record?.states ?? []).filter((s) => !constantTimeEqual(s.baseKey, state.baseKey));
  return { remoteDhKey, states: [state, ...rest].slice(0, 1 + SESSION_ARCHIVED_STATES) };
}
