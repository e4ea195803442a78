import { describe, expect, it } from 'vitest';
import { openAccountBackup } from '../shared/backup/account-backup';
import { decodeBackupHeader } from '../shared/backup/backup-archive';
import { deriveBackupKeys } from '../shared/backup/backup-kdf';
import { TEST_KDF_PARAMS } from '../shared/backup/test-kdf';
import { FakeClock } from '../shared/clock';
import { BACKUP_CHANGE_DEBOUNCE_MS, BACKUP_CHECK_INTERVAL_MS, BACKUP_INTERVAL_MS, BACKUP_RETRY_BACKOFF_MS, MINUTE_MS } from '../shared/limits';
import { newMessageId } from '../shared/messages/message-id';
import { RelayError } from '../shared/wire/relay-error';
import type { RelayClient } from '../shared/wire/relay-client';
import type { Timers } from '../shared/wire/timers';
import { BackupSchedule } from './backup-schedule';
import { accountOf, createPhoneState } from './phone-account';
import { PhoneBackup } from './phone-backup';
import type { PhoneState } from './phone-state';

/** Timers on the fake clock (the phone may not import src/main's ManualTimers): advance() fires what is due. */
class FakeTimers implements Timers {
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
  get pending(): number {
    return this.#pending.size;
  }
  async advance(ms: number, schedule: BackupSchedule): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      const next = [...this.#pending.entries()].filter(([, p]) => p.due <= end).sort((a, b) => a[1].due - b[1].due)[0];
      if (!next) break;
      this.#pending.delete(next[0]);
      this.clock.set(Math.max(this.clock.now(), next[1].due));
      next[1].cb();
      await schedule.idle();
    }
    this.clock.set(end);
  }
}

/** A relay that, like server/backup-store.ts, replaces the stored backup only once every chunk is in; it can be told to fail. */
function stagingRelay() {
  const relay = {
    stored: null as { header: Uint8Array; chunks: Uint8Array[] } | null,
    staged: null as { header: Uint8Array; chunks: Uint8Array[] } | null,
    uploads: 0,
    failNext: 0,
    failAtChunk: 0,
  };
  const client = {
    putBackupChunk(header: Uint8Array, _k: Uint8Array, index: number, chunk: Uint8Array): Promise<'staged' | 'stored'> {
      if (relay.failNext > 0 && index === relay.failAtChunk) {
        relay.failNext--;
        return Promise.reject(new RelayError('CLOSED'));
      }
      if (index === 0) relay.staged = { header, chunks: [] };
      relay.staged!.chunks.push(chunk);
      if (index < decodeBackupHeader(header).chunkCount - 1) return Promise.resolve('staged');
      relay.stored = relay.staged;
      relay.staged = null;
      relay.uploads++;
      return Promise.resolve('stored');
    },
  };
  return { relay, client: client as unknown as RelayClient };
}

function setUp() {
  const clock = new FakeClock(1_700_000_000_000);
  const timers = new FakeTimers(clock);
  const state: PhoneState = createPhoneState('ws://127.0.0.1:1', { displayName: 'Dr A', profession: '' }, clock);
  const me = accountOf(state).accountId;
  const backup = PhoneBackup.openOrCreate(undefined, clock, TEST_KDF_PARAMS);
  const { relay, client } = stagingRelay();
  const events: string[] = [];
  const schedule = new BackupSchedule({ run: () => backup.uploadIfDue(client, state), timers, clock, log: (e) => events.push(e) });
  const addKept = (body: string) => {
    const id = newMessageId();
    state.history.push({ id, conversation: me, from: me, body, sentAt: clock.now() });
    backup.keep(id);
  };
  const storedBodies = async () => {
    const sealed = relay.stored!;
    const h = decodeBackupHeader(sealed.header);
    return openAccountBackup(sealed, await deriveBackupKeys(backup.code, h.salt, h.kdf), me).messages.map((m) => m.body);
  };
  return { clock, timers, state, backup, relay, schedule, events, addKept, storedBodies };
}

describe('automatic backup schedule', () => {
  it('uploads at start, then at least every BACKUP_INTERVAL_MS without changes, and not in between', async () => {
    const t = setUp();
    t.schedule.start();
    await t.timers.advance(0, t.schedule);
    expect(t.relay.uploads).toBe(1);
    await t.timers.advance(BACKUP_INTERVAL_MS - BACKUP_CHECK_INTERVAL_MS, t.schedule);
    expect(t.relay.uploads).toBe(1);
    await t.timers.advance(BACKUP_CHECK_INTERVAL_MS, t.schedule);
    expect(t.relay.uploads).toBe(2);
    await t.timers.advance(3 * BACKUP_INTERVAL_MS, t.schedule);
    expect(t.relay.uploads).toBe(5);
    t.schedule.stop();
    expect(t.timers.pending).toBe(0);
  });

  it('uploads a debounced backup after changes: many quick changes make one upload', async () => {
    const t = setUp();
    t.schedule.start();
    await t.timers.advance(0, t.schedule);
    for (const body of ['a', 'b', 'c']) {
      t.addKept(body);
      t.schedule.changed();
      await t.timers.advance(BACKUP_CHANGE_DEBOUNCE_MS / 2, t.schedule);
    }
    expect(t.relay.uploads).toBe(1);
    await t.timers.advance(BACKUP_CHANGE_DEBOUNCE_MS, t.schedule);
    expect(t.relay.uploads).toBe(2);
    expect(await t.storedBodies()).toEqual(['a', 'b', 'c']);
    // A reported change that changed nothing in the snapshot uploads nothing.
    t.schedule.changed();
    await t.timers.advance(BACKUP_CHANGE_DEBOUNCE_MS, t.schedule);
    expect(t.relay.uploads).toBe(2);
  });

  it('retries a failed upload with growing backoff and keeps the previous backup meanwhile', async () => {
    const t = setUp();
    t.addKept('before');
    t.schedule.start();
    await t.timers.advance(0, t.schedule);
    expect(await t.storedBodies()).toEqual(['before']);

    t.addKept('after');
    t.relay.failNext = 3;
    t.schedule.changed();
    await t.timers.advance(BACKUP_CHANGE_DEBOUNCE_MS, t.schedule);
    expect(t.schedule.failures).toBe(1);
    expect(await t.storedBodies()).toEqual(['before']);
    expect(t.backup.isDue(t.state)).toBe(true);

    await t.timers.advance(BACKUP_RETRY_BACKOFF_MS[0] - 1, t.schedule);
    expect(t.schedule.failures).toBe(1);
    await t.timers.advance(1, t.schedule);
    expect(t.schedule.failures).toBe(2);
    await t.timers.advance(BACKUP_RETRY_BACKOFF_MS[1] - MINUTE_MS, t.schedule);
    expect(t.schedule.failures).toBe(2);
    await t.timers.advance(MINUTE_MS, t.schedule);
    expect(t.schedule.failures).toBe(3);
    expect(await t.storedBodies()).toEqual(['before']);

    await t.timers.advance(BACKUP_RETRY_BACKOFF_MS[2], t.schedule);
    expect(t.schedule.failures).toBe(0);
    expect(await t.storedBodies()).toEqual(['before', 'after']);
    expect(t.events.filter((e) => e === 'backup-failed')).toHaveLength(3);
  });

  it('a failure after some chunks were staged does not replace the stored backup', async () => {
    const t = setUp();
    t.addKept('kept-one');
    t.schedule.start();
    await t.timers.advance(0, t.schedule);
    // Enough content for several chunks, then the connection drops after the first.
    t.addKept('x'.repeat(200_000));
    t.relay.failNext = 1;
    t.relay.failAtChunk = 1;
    t.schedule.changed();
    await t.timers.advance(BACKUP_CHANGE_DEBOUNCE_MS, t.schedule);
    expect(t.schedule.failures).toBe(1);
    expect(t.relay.staged?.chunks).toHaveLength(1);
    expect(await t.storedBodies()).toEqual(['kept-one']);
    await t.timers.advance(BACKUP_RETRY_BACKOFF_MS[0], t.schedule);
    expect((await t.storedBodies())[1]).toHaveLength(200_000);
  });

  it('does nothing before start or after stop', async () => {
    const t = setUp();
    t.schedule.changed();
    await t.timers.advance(BACKUP_INTERVAL_MS, t.schedule);
    expect(t.relay.uploads).toBe(0);
    t.schedule.start();
    t.schedule.stop();
    await t.timers.advance(BACKUP_INTERVAL_MS, t.schedule);
    expect(t.relay.uploads).toBe(0);
  });
});
