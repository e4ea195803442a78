import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, EXPIRY_SWEEP_INTERVAL_MS, MESSAGE_RETENTION_MS } from '../../../shared/limits';
import { blobPath } from '../store/attachments';
import { createStoreFixture, messageId, type StoreFixture } from '../store/store-fixture';
import { startExpirySweeper, sweepExpired, type SweepResult, type SweepTimer } from './message-expiry';

let fx: StoreFixture;
let conversationId: string;
beforeEach(() => {
  fx = createStoreFixture();
  conversationId = fx.store.conversations.ensureDirect('peer').id;
});
afterEach(() => fx.dispose());

function add(body: string, sentAt = fx.clock.now()): string {
  const id = messageId();
  fx.store.messages.insert({ id, conversationId, senderAccountId: 'peer', direction: 'in', body, sentAt, state: 'delivered' });
  return id;
}

describe('sweepExpired', () => {
  it('deletes unkept messages past 30 days with their search entries and blobs, and keeps the rest', async () => {
    const old = add('old cardiology note');
    const kept = add('kept cardiology note');
    fx.store.messages.setKept(kept, true);
    const meta = await fx.store.attachments.add({ messageId: old, fileName: 'a', mimeType: 'x' }, [new Uint8Array(100)]);
    fx.clock.advance(DAY_MS);
    const recent = add('recent cardiology note');

    fx.clock.advance(MESSAGE_RETENTION_MS - DAY_MS - 1);
    expect(await sweepExpired(fx.store)).toEqual({ messages: 0, attachments: 0, processedEnvelopes: 0, orphanBlobs: 0 });

    fx.clock.advance(1);
    expect(await sweepExpired(fx.store)).toEqual({ messages: 1, attachments: 1, processedEnvelopes: 0, orphanBlobs: 0 });
    expect(fx.store.messages.get(old)).toBeNull();
    expect(fx.store.attachments.get(meta.id)).toBeNull();
    expect(existsSync(blobPath(fx.store.paths.attachmentsDir, meta.id))).toBe(false);
    expect(fx.store.search.search('cardiology').map((h) => h.messageId).sort()).toEqual([kept, recent].sort());
    expect(fx.store.messages.get(kept)).not.toBeNull();
  });

  it('deletes a message that is unkept after its 30 days at the next sweep', async () => {
    const id = add('note');
    fx.store.messages.setKept(id, true);
    fx.clock.advance(2 * MESSAGE_RETENTION_MS);
    expect((await sweepExpired(fx.store)).messages).toBe(0);
    fx.store.messages.setKept(id, false);
    expect((await sweepExpired(fx.store)).messages).toBe(1);
  });

  it('deletes in batches until everything expired is gone', async () => {
    fx.store.messages.insertMany(Array.from({ length: 1203 }, (_, i) => ({ id: messageId(), conversationId, senderAccountId: 'peer', direction: 'in' as const, body: `bulk ${i}`, sentAt: fx.clock.now(), state: 'delivered' as const })));
    fx.clock.advance(MESSAGE_RETENTION_MS);
    expect((await sweepExpired(fx.store)).messages).toBe(1203);
    expect(fx.store.messages.page(conversationId).messages).toEqual([]);
  });

  it('forgets processed envelope ids whose window has passed', async () => {
    const now = fx.clock.now();
    fx.store.protocolState.markEnvelopeProcessed('e-short', now + 1000);
    fx.store.protocolState.markEnvelopeProcessed('e-long', now + 10 * DAY_MS);
    fx.clock.advance(1000);
    expect((await sweepExpired(fx.store)).processedEnvelopes).toBe(1);
    expect(fx.store.protocolState.markEnvelopeProcessed('e-long', now + 10 * DAY_MS)).toBe(false);
  });
});

class ManualTimer implements SweepTimer {
  callbacks = new Map<number, { fn: () => void; ms: number }>();
  #next = 1;
  setInterval(fn: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.callbacks.set(handle, { fn, ms });
    return handle;
  }
  clearInterval(handle: unknown): void {
    this.callbacks.delete(handle as number);
  }
  tick(): void {
    for (const { fn } of this.callbacks.values()) fn();
  }
}

describe('startExpirySweeper', () => {
  it('sweeps at start-up, then on every tick of its timer, until stopped', async () => {
    add('expired at start');
    fx.clock.advance(MESSAGE_RETENTION_MS);
    const timer = new ManualTimer();
    const results: SweepResult[] = [];
    const sweeper = startExpirySweeper({ store: fx.store, timer, onSweep: (r) => {
        if (!('error' in r)) results.push(r);
      },
    });
    expect((await sweeper.started)?.messages).toBe(1);
    expect([...timer.callbacks.values()].map((c) => c.ms)).toEqual([EXPIRY_SWEEP_INTERVAL_MS]);

    add('expires later');
    fx.clock.advance(MESSAGE_RETENTION_MS);
    timer.tick();
    expect((await sweeper.sweepNow())?.messages).toBe(0); // queued behind the tick's sweep, which took it
    expect(results.map((r) => r.messages)).toEqual([1, 1, 0]);

    sweeper.stop();
    expect(timer.callbacks.size).toBe(0);
    expect(await sweeper.sweepNow()).toBeNull();
  });

  it('reports a failed sweep and keeps going', async () => {
    const timer = new ManualTimer();
    const errors: unknown[] = [];
    fx.store.close();
    const sweeper = startExpirySweeper({ store: fx.store, timer, onSweep: (r) => {
        if ('error' in r) errors.push(r.error);
      },
    });
    expect(await sweeper.started).toBeNull();
    expect(errors).toHaveLength(1);
    sweeper.stop();
  });
});
