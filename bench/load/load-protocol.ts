/** Messages between the bench orchestrator and the load generator child (IPC), with schemas. */
import { z } from 'zod';

export const zLoadCommand = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('connect'),
    target: z.enum(['bare', 'bare-ack', 'relay']),
    url: z.string().regex(/^ws:\/\/127\.0\.0\.1:\d+\/?$/, 'load generator only targets 127.0.0.1'),
    /** Fleet devices [from, from + count) are connected and join those already connected. */
    from: z.number().int().nonnegative(),
    count: z.number().int().positive(),
    concurrency: z.number().int().positive(),
    ciphertextBytes: z.number().int().positive(),
  }),
  z.object({ kind: z.literal('warmup'), perDevice: z.number().int().positive(), drainMs: z.number().positive() }),
  z.object({ kind: z.literal('steady'), rate: z.number().positive(), durationMs: z.number().positive(), drainMs: z.number().positive() }),
  z.object({
    kind: z.literal('max'),
    window: z.number().int().positive(),
    durationMs: z.number().positive(),
    drainMs: z.number().positive(),
    capacity: z.number().int().positive(),
  }),
  z.object({ kind: z.literal('close') }),
]);
export type LoadCommand = z.infer<typeof zLoadCommand>;

const zSummary = z.object({ count: z.number(), p50: z.number(), p99: z.number(), max: z.number(), mean: z.number() });
export const zPhaseResult = z.object({
  sent: z.number(),
  delivered: z.number(),
  lost: z.number(),
  duplicates: z.number(),
  errors: z.record(z.string(), z.number()),
  closedConnections: z.number(),
  measuredMs: z.number(),
  deliveredPerSecond: z.number(),
  latencyMs: zSummary,
});

export const zLoadReply = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('connected'), connected: z.number(), failed: z.number(), firstError: z.string().optional(), setupMs: z.number() }),
  z.object({ kind: z.literal('phase'), result: zPhaseResult }),
  z.object({ kind: z.literal('closed') }),
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type LoadReply = z.infer<typeof zLoadReply>;
