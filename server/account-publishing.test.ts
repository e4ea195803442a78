import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/shared/clock';
import { DESKTOP_SESSION_MS, HOUR_MS, RELAY_NEW_ACCOUNTS_BURST, RELAY_NEW_ACCOUNTS_PER_HOUR } from '../src/shared/limits';
import { thrownCode } from '../src/shared/testing/error-code';
import { AccountPublishing } from './account-publishing';
import { openRelayDatabase, type RelayDatabase } from './database';
import { Directory } from './directory';
import type { Logger } from './logging';
import { OfflineQueue } from './offline-queue';
import { Router } from './router';
import { Sessions } from './sessions';
import { KeyedTokenBuckets } from './token-bucket';
import { TestAccount } from './testing/fixtures';

const open: { db: RelayDatabase; queue: OfflineQueue; dir: string }[] = [];
afterEach(() => {
  for (const { db, queue, dir } of open.splice(0)) {
    queue.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

interface LogLine {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** Publishing over a real SQLite directory, new accounts limited to `burst` at once and `perHour`. */
function relay(burst: number, perHour: number) {
  const clock = new FakeClock();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-publishing-'));
  const db = openRelayDatabase(dir, 'normal');
  const directory = new Directory(db);
  const queue = new OfflineQueue(db, { flushIntervalMs: 5, maxPerDevice: 100, onWriteError: (e) => { throw e; } });
  open.push({ db, queue, dir });
  const lines: LogLine[] = [];
  const note = (fields: Record<string, unknown>, message: string) => lines.push({ fields, message });
  const log = { info: note, warn: note, error: note, debug: () => undefined } as unknown as Logger;
  const sessions = new Sessions(directory, queue, clock, DESKTOP_SESSION_MS, log);
  sessions.router = new Router(directory, queue, sessions, clock, 30 * 24 * HOUR_MS, 0);
  const publishing = new AccountPublishing(directory, sessions, clock, log, new KeyedTokenBuckets(perHour / 3600, burst, () => clock.now()));
  return { clock, directory, publishing, lines };
}

function newAccount(): TestAccount {
  const account = new TestAccount();
  account.addDevice('phone');
  return account;
}

describe('new accounts per client address', () => {
  it('refuses the account after the burst with REGISTRATION_LIMITED and stores nothing of it', () => {
    const { directory, publishing, lines } = relay(3, 60);
    for (let i = 0; i < 3; i++) expect(publishing.publish(newAccount().nextList(), [], '198.51.100.7')).toBe(1);
    const refused = newAccount();
    expect(thrownCode(() => publishing.publish(refused.nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    expect(directory.account(refused.accountId)).toBeUndefined();
    expect(directory.device(refused.devices[0]!.keys.deviceId)).toBeUndefined();
    expect(directory.devicesOf(refused.accountId)).toEqual([]);
    // Logged at info with the address and the code only: no account id, no key material.
    const line = lines.find((l) => l.fields.code === 'REGISTRATION_LIMITED');
    expect(line?.fields).toEqual({ address: '198.51.100.7', code: 'REGISTRATION_LIMITED' });
  });

  it('limits each address on its own', () => {
    const { publishing } = relay(2, 60);
    for (let i = 0; i < 2; i++) publishing.publish(newAccount().nextList(), [], '198.51.100.7');
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    expect(publishing.publish(newAccount().nextList(), [], '203.0.113.9')).toBe(1);
    expect(publishing.publish(newAccount().nextList(), [], '2001:db8::1')).toBe(1);
  });

  it('does not count updates of an existing account, even from an address at its limit', () => {
    const { publishing } = relay(1, 1);
    const account = newAccount();
    publishing.publish(account.nextList(), [], '198.51.100.7');
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    account.addDevice('desktop');
    expect(publishing.publish(account.nextList(), [], '198.51.100.7')).toBe(2);
    expect(publishing.publish(account.nextList(), [], '198.51.100.7')).toBe(3);
  });

  it('charges nothing for a list that is refused for another reason', () => {
    const { publishing } = relay(1, 1);
    const account = newAccount();
    const tampered = account.nextList().slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(thrownCode(() => publishing.publish(tampered, [], '198.51.100.7'))).toBe('BAD_SIGNATURE');
    expect(publishing.publish(newAccount().nextList(), [], '198.51.100.7')).toBe(1);
  });

  it('allows more as the bucket refills over time', () => {
    const { clock, publishing } = relay(2, 60); // one a minute after the burst
    for (let i = 0; i < 2; i++) publishing.publish(newAccount().nextList(), [], '198.51.100.7');
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    clock.advance(59_000);
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    clock.advance(1_000);
    expect(publishing.publish(newAccount().nextList(), [], '198.51.100.7')).toBe(1);
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    clock.advance(HOUR_MS);
    for (let i = 0; i < 2; i++) publishing.publish(newAccount().nextList(), [], '198.51.100.7');
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
  });

  it('lets a ward behind one address onboard at once under the default limits', () => {
    const { clock, publishing } = relay(RELAY_NEW_ACCOUNTS_BURST, RELAY_NEW_ACCOUNTS_PER_HOUR);
    for (let i = 0; i < RELAY_NEW_ACCOUNTS_BURST; i++) publishing.publish(newAccount().nextList(), [], '198.51.100.7');
    expect(thrownCode(() => publishing.publish(newAccount().nextList(), [], '198.51.100.7'))).toBe('REGISTRATION_LIMITED');
    clock.advance(HOUR_MS / RELAY_NEW_ACCOUNTS_PER_HOUR);
    expect(publishing.publish(newAccount().nextList(), [], '198.51.100.7')).toBe(1);
  });
});
