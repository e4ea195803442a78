/**
 * The connections of one relay node to Redis: one for commands (scripts, reads, writes; in
 * order, so a node's own writes are seen by its later reads) and one subscribed to this node's
 * channel and the directory broadcast. A node that cannot reach Redis at start refuses to start
 * with STORE_UNAVAILABLE; later outages fail the requests that need Redis (ioredis reconnects)
 * and never take the process down.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logging';
import { StoreError } from '../stores/store-error';

/** Pub/sub channel of one node: envelopes for its devices, rendezvous events, replacements. */
export const nodeChannel = (nodeId: string) => `wl:node:${nodeId}`;
/** Broadcast to every node: directory entries to reload. */
export const DIRECTORY_CHANNEL = 'wl:dir';

const CONNECT_TIMEOUT_MS = 5000;
/** A command waits at most this long for Redis to come back before the request fails. */
const COMMAND_RETRIES = 2;

/** The URL without its password, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(invalid url)';
  }
}

export interface RedisLink {
  readonly nodeId: string;
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** Registers a handler for messages on a channel this node subscribes to. */
  onMessage(handler: (channel: string, message: Uint8Array) => void): void;
  close(): Promise<void>;
}

export async function connectRedis(url: string, nodeId: string | undefined, log: Logger): Promise<RedisLink> {
  const id = nodeId ?? randomBytes(8).toString('hex');
  const options = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: COMMAND_RETRIES,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    connectionName: `wardline-relay-${id}`,
  };
  const commands = new Redis(url, options);
  const subscriber = new Redis(url, options);
  let lastError = '';
  for (const client of [commands, subscriber]) {
    // An 'error' event without a listener would crash the process; ioredis reconnects by itself.
    client.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      log.warn({ code: 'STORE_UNAVAILABLE', err: error.message }, 'redis connection error');
    });
  }
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
    await commands.ping();
  } catch (cause) {
    commands.disconnect();
    subscriber.disconnect();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StoreError('STORE_UNAVAILABLE', `cannot reach Redis at ${redactRedisUrl(url)}: ${reason}`, { cause });
  }
  commands.on('close', () => scriptsSent.delete(commands));
  const handlers: ((channel: string, message: Uint8Array) => void)[] = [];
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    for (const handler of handlers) {
      try {
        handler(channel.toString(), message);
      } catch (error) {
        // A bad message (a foreign publisher, a bug) must not stop the node's other messages.
        log.error({ code: 'STORE_CORRUPT', err: String(error) }, 'cluster message dropped');
      }
    }
  });
  await subscriber.subscribe(nodeChannel(id), DIRECTORY_CHANNEL);
  return {
    nodeId: id,
    commands,
    subscriber,
    onMessage: (handler) => handlers.push(handler),
    close: async () => {
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}

/** Scripts already sent in full on a connection (forgotten when it reconnects: Redis may have restarted). */
const scriptsSent = new WeakMap<Redis, Set<string>>();

/**
 * A Lua script run by its SHA (loaded on first use, and again after Redis restarts and forgets
 * it). Scripts are how the relay makes multi-key changes atomic across nodes.
 */
export class LuaScript {
  readonly #sha: string;
  constructor(readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * The first run on a connection sends the source (EVAL caches it), later runs only the SHA.
   * Commands on a connection run in order, so the cache is filled before any EVALSHA arrives:
   * falling back after a NOSCRIPT would let later calls overtake earlier ones (a queue's order).
   */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | Uint8Array | number)[]): Promise<unknown> {
    const argv = args.map((a) => (a instanceof Uint8Array ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : a));
    const sent = scriptsSent.get(redis) ?? new Set<string>();
    scriptsSent.set(redis, sent);
    if (!sent.has(this.#sha)) {
      sent.add(this.#sha);
      return await redis.callBuffer('EVAL', [this.source, keys.length, ...keys, ...argv]);
    }
    try {
      return await redis.callBuffer('EVALSHA', [this.#sha, keys.length, ...keys, ...argv]);
    } catch (error) {
      // Redis restarted and forgot its scripts (order is best effort in that moment).
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.callBuffer('EVAL', [this.source, keys.length, ...keys, ...argv]);
    }
  }
}

/** Reply helpers: Lua replies arrive as Buffers, numbers and arrays of those. */
export function replyText(value: unknown): string | undefined {
  return value instanceof Uint8Array ? Buffer.from(value).toString() : typeof value === 'string' ? value : undefined;
}

export function replyArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
