/**
 * `npm run relay -- --port 0 --data DIR [--host 127.0.0.1] [--public-url wss://...]
 *   [--tls-cert F --tls-key F] [--trust-proxy] [--log-level info] [--test-clock] ...` — see docs/relay-operations.md.
 * Prints "Wardline relay listening on <url>" on stdout once ready; logs go to stderr.
 */
import { parseArgs } from 'node:util';
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

const relay = await startRelay(parsed.data, { logger: log });
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
