/**
 * `npm run relay -- --port 0 --data DIR [--host 127.0.0.1] [--public-url wss://...]
 *   [--tls-cert F --tls-key F] [--trust-proxy] [--log-level info] [--test-clock]
 *   [--redis redis://host:6379 --node-id NAME --blob-dir SHARED] [--new-accounts-burst N --new-accounts-per-hour N] ...`
 *   — `--help` lists every option; see docs/relay-operations.md and docs/deployment.md.
 * Prints "Wardline relay listening on <url>" on stdout once ready; logs go to stderr.
 */
import { WardlineError } from '../src/shared/errors';
import { parseRelayArgs, RELAY_HELP } from './cli-options';
import { createLogger } from './logging';
import { startRelay } from './relay';

const parsed = parseRelayArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  process.stdout.write(RELAY_HELP);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`relay: ${parsed.message} (see --help)\n`);
  process.exit(2);
}
const config = parsed.config;

const log = createLogger(config.logLevel);
// A bug in one handler must not take every hospital connection down with it.
process.on('uncaughtException', (error) => log.error({ err: error.message, code: 'INTERNAL' }, 'uncaught exception'));
process.on('unhandledRejection', (error) => log.error({ err: String(error), code: 'INTERNAL' }, 'unhandled rejection'));

let relay: Awaited<ReturnType<typeof startRelay>>;
try {
  relay = await startRelay(config, { logger: log });
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
