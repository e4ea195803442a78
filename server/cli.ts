/**
 * `npm run relay -- --port 0 --data DIR [--host 127.0.0.1] [--public-url wss://...]
 *   [--tls-cert F --tls-key F] [--trust-proxy] [--log-level info] [--test-clock]
 *   [--redis redis://host:6379 --node-id NAME --blob-dir SHARED] ...` — see docs/relay-operations.md and docs/deployment.md.
 * Prints "Wardline relay listening on <url>" on stdout once ready; logs go to stderr.
 */
import { parseArgs } from 'node:util';
import { WardlineError } from '../src/shared/errors';
import { zRelayConfig } from './config';
import { createLogger } from './logging';
import { startRelay } from './relay';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string' },
    'public-url': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'log-level': { type: 'string' },
    'desktop-session-ms': { type: 'string' },
    'queue-retention-ms': { type: 'string' },
    'rendezvous-ttl-ms': { type: 'string' },
    'auth-timeout-ms': { type: 'string' },
    'max-queue': { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    'flush-ms': { type: 'string' },
    'online-grace-ms': { type: 'string' },
    synchronous: { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    'test-clock': { type: 'boolean' },
    'authority-key': { type: 'string' },
    redis: { type: 'string' },
    'node-id': { type: 'string' },
    'presence-ttl-ms': { type: 'string' },
    'blob-dir': { type: 'string' },
  },
  strict: true,
});

const parsed = zRelayConfig.safeParse(
  Object.fromEntries(
    Object.entries({
      host: values.host,
      port: values.port,
      dataDir: values.data,
      publicUrl: values['public-url'],
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
      logLevel: values['log-level'],
      desktopSessionMs: values['desktop-session-ms'],
      queueRetentionMs: values['queue-retention-ms'],
      rendezvousTtlMs: values['rendezvous-ttl-ms'],
      authTimeoutMs: values['auth-timeout-ms'],
      maxQueuePerDevice: values['max-queue'],
      ratePerSecond: values.rate,
      rateBurst: values.burst,
      flushIntervalMs: values['flush-ms'],
      onlineGraceMs: values['online-grace-ms'],
      synchronous: values.synchronous,
      trustProxy: values['trust-proxy'],
      testClock: values['test-clock'],
      authorityKey: values['authority-key'],
      // A flag wins over the environment (a Redis password belongs in the environment, not in `ps`).
      redis: values.redis ?? process.env.WARDLINE_RELAY_REDIS,
      nodeId: values['node-id'] ?? process.env.WARDLINE_RELAY_NODE_ID,
      presenceTtlMs: values['presence-ttl-ms'],
      blobDir: values['blob-dir'],
    }).filter(([, v]) => v !== undefined),
  ),
);
if (!parsed.success) {
  process.stderr.write(`relay: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}

const log = createLogger(parsed.data.logLevel);
// A bug in one handler must not take every hospital connection down with it.
process.on('uncaughtException', (error) => log.error({ err: error.message, code: 'INTERNAL' }, 'uncaught exception'));
process.on('unhandledRejection', (error) => log.error({ err: String(error), code: 'INTERNAL' }, 'unhandled rejection'));

let relay: Awaited<ReturnType<typeof startRelay>>;
try {
  relay = await startRelay(parsed.data, { logger: log });
} catch (error) {
  // A store that cannot be reached (Redis down, wrong address or password) is an operator's
  // problem to fix: say which, and exit without a stack trace.
  const code = error instanceof WardlineError ? (error as WardlineError).code : 'INTERNAL';
  log.fatal({ code, err: error instanceof Error ? error.message : String(error) }, 'relay did not start');
  log.flush();
  process.stderr.write(`relay: ${code}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(`Wardline relay listening on ${relay.url}\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  void relay.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
