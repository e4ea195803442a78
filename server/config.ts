/** Relay options, from the command line or from code (tests, benchmarks). */
import { z } from 'zod';
import type { Clock } from '../src/shared/clock';
import {
  DESKTOP_SESSION_MS,
  RELAY_AUTH_TIMEOUT_MS,
  RELAY_NEW_ACCOUNTS_BURST,
  RELAY_NEW_ACCOUNTS_PER_HOUR,
  RELAY_ONLINE_GRACE_MS,
  RELAY_PRESENCE_TTL_MS,
  RELAY_QUEUE_MAX_ENVELOPES,
  RELAY_QUEUE_RETENTION_MS,
  RELAY_RATE_BURST,
  RELAY_RATE_PER_SECOND,
  RENDEZVOUS_TTL_MS,
} from '../src/shared/limits';
import { LOG_LEVELS, type Logger } from './logging';

const positive = z.coerce.number().int().positive();

export const zRelayConfig = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8787),
    dataDir: z.string().min(1).default('./.data/relay'),
    /** The URL devices dial (behind a reverse proxy: the public wss:// URL); its authority is bound into auth. */
    publicUrl: z.string().regex(/^wss?:\/\/[^/]+/).optional(),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    desktopSessionMs: positive.default(DESKTOP_SESSION_MS),
    queueRetentionMs: positive.default(RELAY_QUEUE_RETENTION_MS),
    rendezvousTtlMs: positive.default(RENDEZVOUS_TTL_MS),
    authTimeoutMs: positive.default(RELAY_AUTH_TIMEOUT_MS),
    maxQueuePerDevice: positive.default(RELAY_QUEUE_MAX_ENVELOPES),
    ratePerSecond: positive.default(RELAY_RATE_PER_SECOND),
    rateBurst: positive.default(RELAY_RATE_BURST),
    /** New accounts one client address may create at once, then per hour (see --trust-proxy for the address). */
    newAccountsBurst: positive.default(RELAY_NEW_ACCOUNTS_BURST),
    newAccountsPerHour: positive.default(RELAY_NEW_ACCOUNTS_PER_HOUR),
    /** Group-commit interval for the envelope queue. */
    flushIntervalMs: positive.default(5),
    /** An envelope for an online recipient waits this long in memory for its ack before it is written (0: next commit). */
    onlineGraceMs: z.coerce.number().int().min(0).max(10_000).default(RELAY_ONLINE_GRACE_MS),
    synchronous: z.enum(['full', 'normal']).default('full'),
    /** Behind a reverse proxy: take the client address from X-Forwarded-For (for per-address limits). */
    trustProxy: z.boolean().default(false),
    /** Test-only: exposes POST /test/clock on loopback to move the relay's clock. */
    testClock: z.boolean().default(false),
    /** The verification authority's Ed25519 public key (64 hex): enables attestations and the directory. */
    authorityKey: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    /** Several relay nodes: the shared Redis (redis://[:password@]host:port[/db] or rediss:// for TLS). Unset: embedded SQLite. */
    redis: z.string().regex(/^rediss?:\/\/[^/]/).optional(),
    /** This node's name in the cluster (logs, presence keys); default: random per start. */
    nodeId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/).optional(),
    presenceTtlMs: positive.default(RELAY_PRESENCE_TTL_MS),
    /** With --redis: the directory every node mounts for attachment blob files (default: DATA/blobs, this node only). */
    blobDir: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), { message: '--tls-cert and --tls-key go together' })
  .refine((c) => !c.testClock || isLoopback(c.host), { message: '--test-clock only on a loopback host' })
  // A single node keeps its blob index in its SQLite file; sharing the files needs the shared index.
  .refine((c) => c.blobDir === undefined || c.redis !== undefined, { message: '--blob-dir needs --redis' });

export type RelayConfig = z.infer<typeof zRelayConfig>;
export type RelayConfigInput = z.input<typeof zRelayConfig>;

/** What code may inject on top of the plain options. */
export interface RelayInjections {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
