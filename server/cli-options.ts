/**
 * The relay's command line: flags → RelayConfig, and the `--help` text. Kept apart from cli.ts
 * (which starts the process) so bad values are tested without spawning a relay. Errors name the
 * flag the operator typed, not the config field.
 */
import { parseArgs } from 'node:util';
import { zRelayConfig, type RelayConfig, type RelayConfigInput } from './config';

interface Flag {
  readonly key: keyof RelayConfigInput;
  readonly type: 'string' | 'boolean';
  readonly help: string;
  /** Read when the flag is absent: secrets belong in the environment, not in `ps`. */
  readonly env?: string;
}

const FLAGS: Readonly<Record<string, Flag>> = {
  host: { key: 'host', type: 'string', help: 'address to listen on (default 127.0.0.1)' },
  port: { key: 'port', type: 'string', help: 'port (default 8787; 0 picks a free one)' },
  data: { key: 'dataDir', type: 'string', help: 'data directory (default ./.data/relay)' },
  'public-url': { key: 'publicUrl', type: 'string', help: 'the wss:// URL devices dial (required behind a proxy)' },
  'tls-cert': { key: 'tlsCert', type: 'string', help: 'serve wss directly: certificate file (with --tls-key)' },
  'tls-key': { key: 'tlsKey', type: 'string', help: 'serve wss directly: key file (with --tls-cert)' },
  'log-level': { key: 'logLevel', type: 'string', help: 'fatal|error|warn|info|debug|trace|silent (default info)' },
  'desktop-session-ms': { key: 'desktopSessionMs', type: 'string', help: 'desktop session length' },
  'queue-retention-ms': { key: 'queueRetentionMs', type: 'string', help: 'how long queued envelopes are kept' },
  'rendezvous-ttl-ms': { key: 'rendezvousTtlMs', type: 'string', help: 'pairing rendezvous channel lifetime' },
  'auth-timeout-ms': { key: 'authTimeoutMs', type: 'string', help: 'close unauthenticated connections after this' },
  'max-queue': { key: 'maxQueuePerDevice', type: 'string', help: 'envelopes queued per device before QUEUE_FULL' },
  rate: { key: 'ratePerSecond', type: 'string', help: 'frames per second per connection' },
  burst: { key: 'rateBurst', type: 'string', help: 'frame burst per connection' },
  'new-accounts-burst': { key: 'newAccountsBurst', type: 'string', help: 'new accounts one client address may create at once (default 60)' },
  'new-accounts-per-hour': { key: 'newAccountsPerHour', type: 'string', help: 'new accounts per client address per hour after the burst (default 300)' },
  'flush-ms': { key: 'flushIntervalMs', type: 'string', help: 'queue group-commit interval (default 5)' },
  'online-grace-ms': { key: 'onlineGraceMs', type: 'string', help: 'in-memory wait for an online recipient\'s ack (default 50)' },
  synchronous: { key: 'synchronous', type: 'string', help: 'full|normal (default full)' },
  'trust-proxy': { key: 'trustProxy', type: 'boolean', help: 'take the client address for per-address limits from X-Forwarded-For (only behind a proxy that sets it)' },
  'test-clock': { key: 'testClock', type: 'boolean', help: 'tests only, loopback only: POST /test/clock moves the clock' },
  'authority-key': { key: 'authorityKey', type: 'string', help: 'verification authority public key (64 hex)' },
  redis: { key: 'redis', type: 'string', env: 'WARDLINE_RELAY_REDIS', help: 'redis[s]://… shared store of several nodes' },
  'node-id': { key: 'nodeId', type: 'string', env: 'WARDLINE_RELAY_NODE_ID', help: 'this node\'s name in the cluster' },
  'presence-ttl-ms': { key: 'presenceTtlMs', type: 'string', help: 'cluster presence lifetime (default 15000)' },
  'blob-dir': { key: 'blobDir', type: 'string', help: 'with --redis: the shared attachment directory' },
};

const FLAG_OF = new Map(Object.entries(FLAGS).map(([flag, f]) => [f.key as string, flag]));

export const RELAY_HELP = [
  'Usage: npm run relay -- [options]   (docs/relay-operations.md, docs/deployment.md)',
  '',
  ...Object.entries(FLAGS).map(([flag, f]) => `  --${(flag + (f.type === 'string' ? ' V' : '')).padEnd(26)} ${f.help}${f.env ? ` (or ${f.env})` : ''}`),
  '  --help                     this text',
  '',
].join('\n');

export type RelayArgs = { readonly kind: 'run'; readonly config: RelayConfig } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

export function parseRelayArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): RelayArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries([...Object.entries(FLAGS).map(([flag, f]) => [flag, { type: f.type }]), ['help', { type: 'boolean' }]]) as Record<string, { type: 'string' | 'boolean' }>;
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: 'help' };
  const input: Record<string, unknown> = {};
  for (const [flag, f] of Object.entries(FLAGS)) {
    const value = values[flag] ?? (f.env ? env[f.env] : undefined);
    if (value !== undefined) input[f.key] = value;
  }
  const parsed = zRelayConfig.safeParse(input);
  if (parsed.success) return { kind: 'run', config: parsed.data };
  const message = parsed.error.issues
    .map((i) => {
      const key = i.path[0];
      const flag = typeof key === 'string' ? FLAG_OF.get(key) : undefined;
      return flag ? `--${flag}: ${i.message}` : i.message;
    })
    .join('; ');
  return { kind: 'error', message };
}
