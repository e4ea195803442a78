/**
 * The durable per-device envelope queue, with group commit: new envelopes and acks collect in
 * memory for a few milliseconds and are written in one transaction. A sender is acknowledged
 * only after that commit (or after the recipient acked, whichever comes first), so a crash never
 * loses an envelope a sender was told is safe. An envelope acked before its batch is written
 * never touches the disk at all; an envelope pushed to an online recipient is held back from the
 * disk for a grace period (`holdMs`) so that this is the common case, not a race against the
 * next commit: each commit is an fsync that blocks the event loop.
 */
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import type { RelayDatabase } from './database';

import type { EnqueueResult, EnvelopeQueue, QueuedEnvelope, Settlement } from './stores/envelope-queue';

export type { EnqueueResult, QueuedEnvelope, Settlement } from './stores/envelope-queue';

interface PendingEnvelope extends QueuedEnvelope {
  /** Settled before the write (acked by the recipient or dropped): skip the disk. */
  done: boolean;
  /** Monotonic time (ms) before which the entry is not written unless forced. */
  writeAfter: number;
  /** Committed, its sender waiting for the fsync (syncFile mode). */
  onDisk: boolean;
  settle: ((how: Settlement) => void)[];
}


export interface OfflineQueueOptions {
  readonly flushIntervalMs: number;
  readonly maxPerDevice: number;
  /** Called when a write fails; the pending batch is kept and retried. */
  readonly onWriteError: (error: unknown) => void;
  /** Monotonic milliseconds for write scheduling (tests drive it by hand). */
  readonly now?: () => number;
  /**
   * The database's WAL file. When set, queue commits run without SQLite's own fsync and the WAL
   * is fsync'd on the thread pool instead; senders are settled only after that fsync, so 'stored'
   * means on disk exactly as with synchronous=FULL, but the event loop keeps routing meanwhile.
   */
  readonly syncFile?: string;
}

const FLUSH_AT_ONCE = 2000;
/**
 * A commit blocks the event loop for its fsync; the next timed commit waits at least this many
 * times as long as the last one took (at most MAX_COMMIT_GAP_MS), so under load the relay spends
 * at most about a quarter of its time blocked on the disk, at the price of later 'stored' acks.
 */
const COMMIT_GAP_FACTOR = 3;
const MAX_COMMIT_GAP_MS = 50;

interface Row {
  seq: number;
  device_id: string;
  envelope_id: string;
  expires_at: number;
  envelope: Uint8Array;
}

/** The embedded (single-node) queue: the default store. */
class SqliteOfflineQueue implements EnvelopeQueue {
  #pending: PendingEnvelope[] = [];
  readonly #pendingByKey = new Map<string, PendingEnvelope>();
  #deletes: [DeviceId, EnvelopeId][] = [];
  readonly #counts = new Map<DeviceId, number>();
  /**
   * Rows on disk per device. Only a device with written rows can have a duplicate on disk, so
   * the indexed lookup is skipped for the usual case of a recipient that acks promptly.
   */
  readonly #written = new Map<DeviceId, number>();
  /** Pending envelopes due for writing (not held) plus deletes: what makes a commit urgent. */
  #due = 0;
  #nextSeq: number;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  /** Earliest time for the next timed commit (see COMMIT_GAP_FACTOR). */
  #nextCommitAt = 0;
  readonly #now: () => number;
  /** Committed envelopes waiting for the next WAL fsync (syncFile mode). */
  #unsynced: PendingEnvelope[] = [];
  #syncing = false;
  #syncFd: number | undefined;
  readonly #sql;

  constructor(
    private readonly db: RelayDatabase,
    private readonly options: OfflineQueueOptions,
  ) {
    this.#now = options.now ?? (() => performance.now());
    this.#sql = {
      insert: db.prepare('INSERT OR IGNORE INTO envelopes (seq, device_id, envelope_id, expires_at, envelope) VALUES (?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM envelopes WHERE device_id = ? AND envelope_id = ?'),
      exists: db.prepare<[string, string], number>('SELECT 1 FROM envelopes WHERE device_id = ? AND envelope_id = ?').pluck(),
      page: db.prepare<[string, number, number], Row>(
        'SELECT seq, device_id, envelope_id, expires_at, envelope FROM envelopes WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      dropDevice: db.prepare('DELETE FROM envelopes WHERE device_id = ?'),
      expiredCounts: db.prepare<[number], { device_id: string; n: number }>(
        'SELECT device_id, count(*) AS n FROM envelopes WHERE expires_at <= ? GROUP BY device_id',
      ),
      expire: db.prepare('DELETE FROM envelopes WHERE expires_at <= ?'),
    };
    this.#nextSeq = (db.prepare<[], number | null>('SELECT max(seq) FROM envelopes').pluck().get() ?? 0) + 1;
    for (const row of db.prepare<[], { device_id: string; n: number }>('SELECT device_id, count(*) AS n FROM envelopes GROUP BY device_id').all()) {
      this.#counts.set(row.device_id as DeviceId, row.n);
      this.#written.set(row.device_id as DeviceId, row.n);
    }
  }

  count(deviceId: DeviceId): number {
    return this.#counts.get(deviceId) ?? 0;
  }

  get totalQueued(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  get pendingWrites(): number {
    return this.#pending.length + this.#deletes.length;
  }

  /**
   * Queues an envelope; `settle` is called once it is durable or acked. A duplicate (same device,
   * same envelope id) still queued is not queued twice: its sender is settled like the first.
   * `holdMs`: keep it in memory only for this long first (the recipient is online and may ack).
   */
  enqueue(
    deviceId: DeviceId,
    envelopeId: EnvelopeId,
    expiresAt: number,
    bytes: Uint8Array,
    settle: (how: Settlement) => void,
    holdMs = 0,
  ): { result: EnqueueResult; entry?: QueuedEnvelope } {
    const key = deviceId + envelopeId;
    const twin = this.#pendingByKey.get(key);
    if (twin) {
      if (twin.done) settle('delivered');
      else twin.settle.push(settle);
      return { result: 'duplicate' };
    }
    const count = this.count(deviceId);
    // With nothing queued for the device no written row can match: skip the lookup.
    if (this.#written.has(deviceId) && this.#sql.exists.get(deviceId, envelopeId)) {
      settle('stored');
      return { result: 'duplicate' };
    }
    if (count >= this.options.maxPerDevice) return { result: 'full' };
    const now = this.#now();
    const entry: PendingEnvelope = {
      seq: this.#nextSeq++,
      deviceId,
      envelopeId,
      expiresAt,
      bytes,
      done: false,
      onDisk: false,
      writeAfter: now + holdMs,
      settle: [settle],
    };
    this.#pending.push(entry);
    this.#pendingByKey.set(key, entry);
    this.#counts.set(deviceId, count + 1);
    if (holdMs > 0) this.#schedule(Math.max(entry.writeAfter, this.#nextCommitAt));
    else this.#addDue(1);
    return { result: 'queued', entry };
  }

  /** The recipient has the envelope; forget it (ignored if unknown). */
  ack(deviceId: DeviceId, envelopeId: EnvelopeId): void {
    const pending = this.#pendingByKey.get(deviceId + envelopeId);
    if (pending) {
      if (pending.done) return;
      this.#finish(pending, 'delivered');
      if (pending.onDisk) {
        this.#deletes.push([deviceId, envelopeId]);
        this.#decrementWritten(deviceId, 1);
        this.#addDue(1);
      }
    } else {
      this.#deletes.push([deviceId, envelopeId]);
      this.#decrementWritten(deviceId, 1);
      this.#addDue(1);
    }
    this.#decrement(deviceId, 1);
  }

  /** Up to `limit` queued envelopes after `afterSeq`, in order: written ones first, then the batch. */
  page(deviceId: DeviceId, afterSeq: number, limit: number): QueuedEnvelope[] {
    // Acked rows not yet deleted would otherwise be read back and delivered again.
    if (this.#deletes.length) this.#commit(false);
    const rows = this.#written.has(deviceId) ? this.#sql.page.all(deviceId, afterSeq, limit) : [];
    const out: QueuedEnvelope[] = rows.map((r) => ({
      seq: r.seq,
      deviceId: r.device_id as DeviceId,
      envelopeId: r.envelope_id as EnvelopeId,
      expiresAt: r.expires_at,
      bytes: r.envelope,
    }));
    const written = out.length;
    for (const p of this.#pending) {
      if (out.length >= written + limit) break;
      if (p.deviceId === deviceId && !p.done && p.seq > afterSeq) out.push(p);
    }
    // A held envelope can be older than rows written after it (its recipient went offline).
    if (written && out.length > written) {
      out.sort((a, b) => a.seq - b.seq);
      out.length = Math.min(out.length, limit);
    }
    return out;
  }

  /** Removes everything queued for a device (revoked or expired); durable at once. */
  dropDevice(deviceId: DeviceId): void {
    for (const p of this.#pending) if (p.deviceId === deviceId && !p.done) this.#finish(p, 'stored');
    for (const p of this.#unsynced) if (p.deviceId === deviceId && !p.done) this.#finish(p, 'stored');
    this.#sql.dropDevice.run(deviceId);
    this.#counts.delete(deviceId);
    this.#written.delete(deviceId);
  }

  /** Deletes envelopes whose expiry has passed; returns how many. */
  expire(now: number): number {
    this.flush();
    let removed = 0;
    for (const row of this.#sql.expiredCounts.all(now)) {
      this.#decrement(row.device_id as DeviceId, row.n);
      this.#decrementWritten(row.device_id as DeviceId, row.n);
      removed += row.n;
    }
    if (removed) this.#sql.expire.run(now);
    return removed;
  }

  /** Writes everything pending now, held envelopes included; settles their senders. */
  flush(): void {
    this.#commit(true);
  }

  /** Writes the due part of the pending batch (all of it when forced) in one transaction. */
  #commit(force: boolean): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#now();
    const batch: PendingEnvelope[] = [];
    const kept: PendingEnvelope[] = [];
    for (const p of this.#pending) {
      if (p.done) this.#pendingByKey.delete(p.deviceId + p.envelopeId);
      else if (force || p.writeAfter <= now) batch.push(p);
      else kept.push(p);
    }
    this.#pending = kept;
    const deletes = this.#deletes;
    /** Entries the unique index refused: a twin is already on disk. */
    const twins = new Set<PendingEnvelope>();
    if (batch.length || deletes.length) {
      try {
        const started = this.#now();
        // SQLite's own fsync is replaced by the one in #sync, off the event loop.
        if (this.options.syncFile) this.db.pragma('synchronous = NORMAL');
        this.db.transaction(() => {
          for (const p of batch) {
            if (!this.#sql.insert.run(p.seq, p.deviceId, p.envelopeId, p.expiresAt, p.bytes).changes) twins.add(p);
          }
          for (const [d, e] of deletes) this.#sql.remove.run(d, e);
        })();
        if (this.options.syncFile) this.db.pragma('synchronous = FULL');
        const ended = this.#now();
        this.#nextCommitAt = ended + Math.min(MAX_COMMIT_GAP_MS, COMMIT_GAP_FACTOR * (ended - started));
      } catch (error) {
        if (this.options.syncFile) this.db.pragma('synchronous = FULL');
        this.options.onWriteError(error);
        // Retried as a whole, in seq order, on the next timer.
        this.#pending = [...batch, ...kept].sort((a, b) => a.seq - b.seq);
        twins.clear();
        this.#due = batch.length + deletes.length;
        this.#schedule(now + this.options.flushIntervalMs);
        return;
      }
    }
    this.#deletes = [];
    this.#due = 0;
    for (const p of batch) {
      if (twins.has(p)) {
        this.#pendingByKey.delete(p.deviceId + p.envelopeId);
        this.#decrement(p.deviceId, 1);
        this.#finish(p, 'stored');
        continue;
      }
      this.#written.set(p.deviceId, (this.#written.get(p.deviceId) ?? 0) + 1);
      if (this.options.syncFile) {
        // Still findable by key until synced: a duplicate waits for the same fsync, an ack deletes the row.
        p.onDisk = true;
        this.#unsynced.push(p);
      } else {
        this.#pendingByKey.delete(p.deviceId + p.envelopeId);
        this.#finish(p, 'stored');
      }
    }
    if (this.#unsynced.length) {
      if (force) this.#syncNow();
      else this.#sync();
    }
    // Held entries arrive in time order, so the first one kept is the next to fall due.
    const next = kept[0];
    if (next) this.#schedule(Math.max(next.writeAfter, this.#nextCommitAt));
  }

  close(): void {
    this.flush();
    // An fsync may still be running on the pool: leave its descriptor to the process exit then.
    if (this.#syncing) fsyncSync(this.#walFd());
    else if (this.#syncFd !== undefined) closeSync(this.#syncFd);
    this.#syncFd = undefined;
  }

  /** Fsyncs the WAL on the thread pool, then settles what was committed before it started. */
  #sync(): void {
    if (this.#syncing || !this.#unsynced.length) return;
    this.#syncing = true;
    const covered = this.#unsynced;
    this.#unsynced = [];
    fsync(this.#walFd(), (error) => {
      this.#syncing = false;
      if (error) {
        this.options.onWriteError(error);
        this.#unsynced = [...covered, ...this.#unsynced];
        setTimeout(() => this.#sync(), this.options.flushIntervalMs);
        return;
      }
      this.#settleSynced(covered);
      this.#sync();
    });
  }

  /** Shutdown and forced flushes: the same fsync, waited for. */
  #syncNow(): void {
    fsyncSync(this.#walFd());
    const covered = this.#unsynced;
    this.#unsynced = [];
    this.#settleSynced(covered);
  }

  #settleSynced(covered: PendingEnvelope[]): void {
    for (const p of covered) {
      const key = p.deviceId + p.envelopeId;
      if (this.#pendingByKey.get(key) === p) this.#pendingByKey.delete(key);
      if (!p.done) this.#finish(p, 'stored');
    }
  }

  #walFd(): number {
    // SQLite keeps the WAL file (same inode) while a connection is open; it is created on open.
    return (this.#syncFd ??= openSync(this.options.syncFile!, 'r'));
  }

  #finish(p: PendingEnvelope, how: Settlement): void {
    p.done = true;
    for (const settle of p.settle) settle(how);
    p.settle = [];
  }

  #decrement(deviceId: DeviceId, n: number): void {
    const left = (this.#counts.get(deviceId) ?? 0) - n;
    if (left > 0) this.#counts.set(deviceId, left);
    else this.#counts.delete(deviceId);
  }

  #decrementWritten(deviceId: DeviceId, n: number): void {
    const left = (this.#written.get(deviceId) ?? 0) - n;
    if (left > 0) this.#written.set(deviceId, left);
    else this.#written.delete(deviceId);
  }

  #addDue(n: number): void {
    this.#due += n;
    const now = this.#now();
    this.#schedule(this.#due >= FLUSH_AT_ONCE ? now : Math.max(now + this.options.flushIntervalMs, this.#nextCommitAt));
  }

  /** Makes sure a commit runs no later than `at` (monotonic ms). */
  #schedule(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#commit(false), Math.max(0, at - this.#now()));
  }
}

/**
 * `new OfflineQueue(db, options)` builds the embedded queue; as a type, `OfflineQueue` is the
 * queue interface routing and delivery program against, so a Redis-backed queue fits the same places.
 */
export const OfflineQueue = SqliteOfflineQueue;
export type OfflineQueue = EnvelopeQueue;
