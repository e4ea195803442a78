import { describe, expect, it } from 'vitest';
import { RELAY_NEW_ACCOUNTS_BURST, RELAY_NEW_ACCOUNTS_PER_HOUR } from '../src/shared/limits';
import { parseRelayArgs, RELAY_HELP } from './cli-options';

function config(args: string[], env: Record<string, string> = {}) {
  const parsed = parseRelayArgs(args, env);
  if (parsed.kind !== 'run') throw new Error(`expected a config, got ${JSON.stringify(parsed)}`);
  return parsed.config;
}

function error(args: string[]): string {
  const parsed = parseRelayArgs(args);
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${parsed.kind}`);
  return parsed.message;
}

describe('relay command line', () => {
  it('defaults the new-account limit to the product limits', () => {
    const c = config([]);
    expect(c.newAccountsBurst).toBe(RELAY_NEW_ACCOUNTS_BURST);
    expect(c.newAccountsPerHour).toBe(RELAY_NEW_ACCOUNTS_PER_HOUR);
    expect(c.trustProxy).toBe(false);
  });

  it('reads --new-accounts-burst and --new-accounts-per-hour (the last of a repeated flag wins)', () => {
    const c = config(['--new-accounts-burst', '20000', '--new-accounts-per-hour', '50', '--new-accounts-burst', '300', '--trust-proxy']);
    expect(c).toMatchObject({ newAccountsBurst: 300, newAccountsPerHour: 50, trustProxy: true });
  });

  it.each([['0'], ['-5'], ['1.5'], ['many'], ['']])('refuses --new-accounts-burst %j naming the flag', (value) => {
    expect(error([`--new-accounts-burst=${value}`])).toMatch(/^--new-accounts-burst: /);
  });

  it('refuses a bad --new-accounts-per-hour naming the flag', () => {
    expect(error(['--new-accounts-per-hour', '0'])).toMatch(/^--new-accounts-per-hour: /);
  });

  it('refuses unknown flags, a missing value and positional arguments', () => {
    expect(error(['--new-accounts'])).toMatch(/new-accounts/);
    expect(error(['--new-accounts-burst'])).toMatch(/new-accounts-burst/);
    expect(error(['--new-accounts-burst', '-5'])).toMatch(/new-accounts-burst/);
    expect(error(['relay'])).toMatch(/relay/);
  });

  it('keeps the other options and the environment fallbacks', () => {
    const c = config(['--port', '0', '--data', '/tmp/x', '--rate', '10', '--burst', '20', '--synchronous', 'normal'], { WARDLINE_RELAY_REDIS: 'redis://127.0.0.1:6379', WARDLINE_RELAY_NODE_ID: 'n1' });
    expect(c).toMatchObject({ port: 0, dataDir: '/tmp/x', ratePerSecond: 10, rateBurst: 20, synchronous: 'normal', redis: 'redis://127.0.0.1:6379', nodeId: 'n1' });
    expect(config(['--redis', 'redis://10.0.0.1:6379'], { WARDLINE_RELAY_REDIS: 'redis://127.0.0.1:6379' }).redis).toBe('redis://10.0.0.1:6379');
    expect(error(['--tls-cert', 'c.pem'])).toMatch(/--tls-cert and --tls-key go together/);
  });

  it('documents the new options in --help', () => {
    expect(parseRelayArgs(['--help', '--port', 'nonsense'])).toEqual({ kind: 'help' });
    expect(RELAY_HELP).toMatch(/--new-accounts-burst V\s+new accounts one client address may create at once/);
    expect(RELAY_HELP).toMatch(/--new-accounts-per-hour V/);
    expect(RELAY_HELP).toMatch(/--trust-proxy\s/);
  });
});
