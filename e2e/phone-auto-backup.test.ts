/**
 * The companion phone backs up by itself (docs/protocol.md §16, src/phone/backup-schedule.ts),
 * through a real relay process: the library on a fake clock (a kept message is in the relay's
 * backup after the debounce, and a day later an unchanged backup is renewed), and the CLI's
 * long-running `listen`, which uploads a due backup with the production KDF.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { CompanionPhone } from '../src/phone/companion-phone';
import { TEST_KDF_PARAMS } from '../src/shared/backup/test-kdf';
import { FakeClock } from '../src/shared/clock';
import { BACKUP_CHANGE_DEBOUNCE_MS, BACKUP_INTERVAL_MS } from '../src/shared/limits';
import type { Timers } from '../src/shared/wire/timers';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

/** Timers on a fake clock: `advance` moves the clock and fires what became due. */
class ClockTimers implements Timers {
  readonly #pending = new Map<number, { due: number; cb: () => void }>();
  #seq = 0;
  constructor(private readonly clock: FakeClock) {}
  setTimeout(cb: () => void, ms: number): unknown {
    this.#pending.set(++this.#seq, { due: this.clock.now() + ms, cb });
    return this.#seq;
  }
  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  advance(ms: number): void {
    this.clock.advance(ms);
    for (const [id, p] of [...this.#pending].sort((a, b) => a[1].due - b[1].due)) {
      if (p.due > this.clock.now()) continue;
      this.#pending.delete(id);
      p.cb();
    }
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

let relay: RelayProcess;
const phones: CompanionPhone[] = [];
beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(async () => {
  for (const p of phones) await p.close().catch(() => undefined);
  await relay.stop();
});

describe('automatic backup (real relay)', () => {
  it('uploads on start, after a change, and daily; the restored phone has what was kept', async () => {
    const clock = new FakeClock(Date.now());
    const timers = new ClockTimers(clock);
    const alice = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Auto', profession: '' }, clock, timers, backupKdf: TEST_KDF_PARAMS });
    const bob = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr Bob', profession: '' } });
    phones.push(alice, bob);
    expect(alice.lastBackupAt).toBeNull();
    alice.startAutoBackup();
    timers.advance(0);
    await until(() => alice.lastBackupAt !== null, 'the first upload');
    const first = alice.lastBackupAt;

    const id = await alice.sendText(bob.accountId, 'AUTO-KEPT-5e1 handover note');
    // Bob's delivery receipt is a change too (it restarts the quiet time): let it land first.
    await alice.waitForMessage((m) => m.content.kind === 'receipt' && m.content.ids.includes(id), 10_000);
    alice.keepMessage(id);
    timers.advance(BACKUP_CHANGE_DEBOUNCE_MS - 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(alice.lastBackupAt).toBe(first);
    timers.advance(1);
    await until(() => alice.lastBackupAt !== first, 'the upload after the change');
    const afterChange = alice.lastBackupAt!;

    // Nothing changes for a day: the hourly checks renew it once the day is over.
    for (let h = 0; h < 24; h++) {
      timers.advance(BACKUP_INTERVAL_MS / 24);
      // Each check schedules the next when it is done (a digest, no upload): let it finish.
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => alice.lastBackupAt !== afterChange, 'the daily renewal');
    expect(alice.lastBackupAt! - afterChange).toBeGreaterThanOrEqual(BACKUP_INTERVAL_MS);

    const restored = await CompanionPhone.restore({ relayUrl: relay.url, accountId: alice.accountId, code: alice.backupCode, minimumKdf: TEST_KDF_PARAMS, backupKdf: TEST_KDF_PARAMS });
    phones.push(restored);
    expect(restored.history.map((m) => m.body)).toEqual(['AUTO-KEPT-5e1 handover note']);
  }, 60_000);

  it('the CLI’s listen uploads a due backup by itself (production KDF)', async () => {
    const dir = tmp('wardline-cli-auto-');
    const cli = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/phone/cli.ts', ...args, '--data', dir, '--relay', relay.url], { timeout: 60_000 })).stdout;
    await cli('create', '--name', 'Dr Listen');
    await cli('listen', '--timeout-ms', '500');
    expect(await cli('backup')).toMatch(/^backup up to date/);
  }, 90_000);
});
