import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/shared/clock';
import { DESKTOP_SESSION_MS } from '../src/shared/limits';
import type { DeviceId } from '../src/shared/protocol/ids';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { AccountPublishing } from './account-publishing';
import { openRelayDatabase, type RelayDatabase } from './database';
import { Directory } from './directory';
import type { Logger } from './logging';
import { OfflineQueue } from './offline-queue';
import { Router } from './router';
import { RecordingPeer } from './testing/recording-peer';
import { Sessions } from './sessions';
import { KeyedTokenBuckets } from './token-bucket';
import { sealedEnvelope, TestAccount, type TestDevice } from './testing/fixtures';

/** Records what Sessions logs: the codes, in order (ids only, as in production). */
function recordingLog(): { log: Logger; codes: string[]; ended: DeviceId[] } {
  const codes: string[] = [];
  const ended: DeviceId[] = [];
  const note = (fields: unknown) => {
    if (typeof fields !== 'object' || fields === null) return;
    const { code, device } = fields as { code?: string; device?: DeviceId };
    if (code) codes.push(code);
    if (code === 'SESSION_EXPIRED' && device) ended.push(device);
  };
  const log = { info: note, warn: note, error: note, debug: () => undefined } as unknown as Logger;
  return { log, codes, ended };
}

const open: { db: RelayDatabase; queue: OfflineQueue }[] = [];
afterEach(() => {
  for (const { db, queue } of open.splice(0)) {
    queue.close();
    if (db.open) db.close();
  }
});

const START = 1_764_000_000_000;
const freshDir = () => mkdtempSync(join(tmpdir(), 'wardline-sessions-'));

/** One relay's session machinery over the SQLite directory in `dir` (a second call is a restart). */
function relayOver(dir: string, clock: FakeClock) {
  const db = openRelayDatabase(dir, 'normal');
  const directory = new Directory(db);
  const queue = new OfflineQueue(db, { flushIntervalMs: 5, maxPerDevice: 100, onWriteError: (e) => { throw e; } });
  open.push({ db, queue });
  const { log, codes, ended } = recordingLog();
  const sessions = new Sessions(directory, queue, clock, DESKTOP_SESSION_MS, log);
  const router = new Router(directory, queue, sessions, clock, 30 * 24 * 3600_000, 0);
  sessions.router = router;
  const publishing = new AccountPublishing(directory, sessions, clock, log, new KeyedTokenBuckets(1, 1000, () => clock.now()));
  const publish = (account: TestAccount) => publishing.publish(account.nextList(), [], '127.0.0.1');
  return { db, directory, queue, sessions, router, publish, codes, ended };
}

/** An account with a phone; `desktop()` pairs one more desktop and publishes the list. */
function ward(publish: (a: TestAccount) => number) {
  const account = new TestAccount();
  account.addDevice('phone');
  publish(account);
  return {
    account,
    desktop(): DeviceId {
      const d: TestDevice = account.addDevice('desktop');
      publish(account);
      return d.keys.deviceId;
    },
  };
}

describe('desktop session sweep', () => {
  it('ends a desktop paired after start exactly at its deadline: closed with SESSION_EXPIRED, queue dropped, logged once', () => {
    const clock = new FakeClock(START);
    const relay = relayOver(freshDir(), clock);
    clock.advance(5000);
    const desk = ward(relay.publish).desktop();
    const record = relay.directory.device(desk)!;
    const peer = new RecordingPeer();
    relay.router.attach(record, peer);
    relay.router.route(sealedEnvelope(desk, { sentAt: clock.now() }).bytes, () => undefined);
    expect(relay.queue.count(desk)).toBe(1);

    clock.set(START + 5000 + DESKTOP_SESSION_MS - 1);
    relay.sessions.sweep();
    expect(record.state).toBe('active');
    expect(peer.closes).toEqual([]);

    clock.advance(1);
    relay.sessions.sweep();
    expect(record.state).toBe('expired');
    expect(peer.closes).toEqual([CLOSE_CODES.SESSION_EXPIRED]);
    expect(relay.queue.count(desk)).toBe(0);
    expect(relay.router.link(desk)).toBeUndefined();
    expect([...relay.directory.desktops()]).toEqual([]);

    clock.advance(60_000);
    relay.sessions.sweep();
    expect(relay.ended).toEqual([desk]);
  });

  it('does not walk the directory when nothing is due', () => {
    const clock = new FakeClock(START);
    const relay = relayOver(freshDir(), clock);
    const w = ward(relay.publish);
    const desks = [w.desktop(), w.desktop()];
    relay.directory.desktops = () => {
      throw new Error('the sweep walked every desktop');
    };
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      relay.sessions.sweep();
    }
    clock.set(START + DESKTOP_SESSION_MS);
    relay.sessions.sweep();
    expect(desks.map((d) => relay.directory.device(d)?.state)).toEqual(['expired', 'expired']);
  });

  it('leaves a revoked desktop alone when its old deadline comes round', () => {
    const clock = new FakeClock(START);
    const relay = relayOver(freshDir(), clock);
    const w = ward(relay.publish);
    const desk = w.desktop();
    const peer = new RecordingPeer();
    relay.router.attach(relay.directory.device(desk)!, peer);
    clock.advance(60_000);
    w.account.removeDevice(desk);
    relay.publish(w.account);
    expect(relay.directory.device(desk)?.state).toBe('revoked');
    expect(peer.closes).toEqual([CLOSE_CODES.REVOKED]);
    expect([...relay.directory.desktops()]).toEqual([]);

    clock.set(START + DESKTOP_SESSION_MS + 1);
    relay.sessions.sweep();
    expect(relay.directory.device(desk)?.state).toBe('revoked');
    expect(peer.closes).toEqual([CLOSE_CODES.REVOKED]);
    expect(relay.codes.filter((c) => c === 'SESSION_EXPIRED')).toEqual([]);
  });

  it('ignores a duplicate entry and one for a session another path already ended', () => {
    const clock = new FakeClock(START);
    const relay = relayOver(freshDir(), clock);
    const w = ward(relay.publish);
    const [a, b] = [w.desktop(), w.desktop()];
    // The same desktop announced twice (e.g. the startup walk racing a broadcast).
    relay.directory.onDesktopAdded?.(relay.directory.device(a)!);
    clock.set(START + DESKTOP_SESSION_MS);
    // b's session is ended by an auth attempt before the sweep sees it.
    expect(relay.sessions.checkExpiry(relay.directory.device(b)!)).toBe(true);
    relay.sessions.sweep();
    relay.sessions.sweep();
    expect(relay.ended.sort()).toEqual([a, b].sort());
  });

  it('ends many desktops in deadline order, each only once it is due', () => {
    const clock = new FakeClock(START);
    const relay = relayOver(freshDir(), clock);
    const w = ward(relay.publish);
    // Paired at scattered times (not in id order); deadlines follow pairing time.
    const offsets = [7, 3, 11, 0, 5, 5, 9, 1, 13, 2].map((m) => m * 60_000);
    const byDeadline: { id: DeviceId; end: number }[] = [];
    for (const offset of [...offsets].sort((x, y) => x - y)) {
      clock.set(START + offset);
      byDeadline.push({ id: w.desktop(), end: START + offset + DESKTOP_SESSION_MS });
    }
    const phone = w.account.devices[0]!.keys.deviceId;
    for (let t = START + DESKTOP_SESSION_MS - 60_000; t <= START + DESKTOP_SESSION_MS + 14 * 60_000; t += 30_000) {
      clock.set(t);
      relay.sessions.sweep();
      for (const { id, end } of byDeadline) expect(relay.directory.device(id)?.state).toBe(end <= t ? 'expired' : 'active');
      expect([...relay.directory.desktops()].length).toBe(byDeadline.filter((d) => d.end > t).length);
    }
    expect(relay.ended).toEqual(byDeadline.map((d) => d.id));
    expect(relay.directory.device(phone)?.state).toBe('active');
  });

  it('after a restart, still ends the desktops the previous run authorised (and those already overdue)', () => {
    const dir = freshDir();
    const clock = new FakeClock(START);
    const first = relayOver(dir, clock);
    const w = ward(first.publish);
    const early = w.desktop();
    clock.advance(3600_000);
    const late = w.desktop();
    clock.advance(60_000);
    const gone = w.desktop();
    w.account.removeDevice(gone);
    first.publish(w.account);
    first.queue.close();
    first.db.close();

    // Down for longer than the first desktop's session had left.
    clock.set(START + DESKTOP_SESSION_MS + 1000);
    const second = relayOver(dir, clock);
    expect(new Set([...second.directory.desktops()].map((d) => d.deviceId))).toEqual(new Set([early, late]));
    second.sessions.sweep();
    expect(second.directory.device(early)?.state).toBe('expired');
    expect(second.directory.device(late)?.state).toBe('active');
    clock.set(START + 3600_000 + DESKTOP_SESSION_MS);
    second.sessions.sweep();
    expect(second.directory.device(late)?.state).toBe('expired');
    expect(second.directory.device(gone)?.state).toBe('revoked');
    expect(second.ended).toEqual([early, late]);
    second.queue.close();
    second.db.close();

    const third = relayOver(dir, clock);
    expect([...third.directory.desktops()]).toEqual([]);
    expect(third.directory.device(late)?.state).toBe('expired');
  });
});
