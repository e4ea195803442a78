/** Parses a browser → host frame; anything that is not a well-formed call is refused. */
import { z } from 'zod';
import type { WebCallFrame } from '../shared/web-socket-api';

const zCallFrame = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    method: z.string().min(1).max(64),
    input: z.unknown().optional(),
  })
  .strict();

/** The frame, or the id alone when only the id could be read (so the caller can answer it). */
export type ParsedCallFrame = { ok: true; frame: WebCallFrame } | { ok: false; id?: number };

export function parseCallFrame(data: string): ParsedCallFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false };
  }
  const parsed = zCallFrame.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const id = z.object({ id: zCallFrame.shape.id }).safeParse(raw);
  return id.success ? { ok: false, id: id.data.id } : { ok: false };
}
