import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { RELAY_ACK_BATCH_MAX } from '../limits';
import { newEnvelopeId } from '../protocol/ids';
import { decodeClientFrame, encodeRelayFrame, type ClientFrame, type RelayFrameBody } from './frames';
import { RelayClient, type WebSocketLike } from './relay-client';
import type { Timers } from './timers';

/** An in-memory socket: the test plays the relay. */
class FakeSocket implements WebSocketLike {
  binaryType = 'nodebuffer';
  readyState = 1;
  bufferedAmount = 0;
  sent: ClientFrame[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  send(data: Uint8Array): void {
    this.sent.push(decodeClientFrame(data));
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  push(frame: RelayFrameBody): void {
    const bytes = encodeRelayFrame(frame);
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }
}

/** Timers driven by hand, so the timeout test does not sleep. */
class ManualTimers implements Timers {
  readonly clock = new FakeClock(0);
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.clock.now() + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.clock.advance(ms);
    for (const [id, t] of [...this.#timers]) {
      if (t.at <= this.clock.now()) {
        this.#timers.delete(id);
        t.fn();
      }
    }
  }
}

async function connected(timers = new ManualTimers()) {
  const socket = new FakeSocket();
  const pending = RelayClient.connect({ url: 'ws://127.0.0.1:9', connect: () => socket, timers, requestTimeoutMs: 1000 });
  socket.push({ t: 'challenge', n: new Uint8Array(32), h: '127.0.0.1:9' });
  return { socket, client: await pending, timers };
}

describe('relay client', () => {
  it('correlates answers by request id and validates results', async () => {
    const { socket, client } = await connected();
    const a = client.countOneTimePrekeys();
    const b = client.countOneTimePrekeys();
    const [fa, fb] = socket.sent as [Extract<ClientFrame, { r: number }>, Extract<ClientFrame, { r: number }>];
    expect(fa.r).not.toBe(fb.r);
    socket.push({ t: 'ok', r: fb.r, x: { n: 2 } });
    socket.push({ t: 'err', r: fa.r, c: 'UNAUTHENTICATED' });
    await expect(b).resolves.toBe(2);
    await expect(a).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const c = client.countOneTimePrekeys();
    socket.push({ t: 'ok', r: (socket.sent[2] as { r: number }).r, x: { n: 'two' } });
    await expect(c).rejects.toMatchObject({ code: 'MALFORMED' });
  });

  it('signs the authority it dialled and the relay nonce', async () => {
    const { socket, client } = await connected();
    let signed: Uint8Array | undefined;
    const auth = client.authenticate('a'.repeat(32) as never, 'd'.repeat(32) as never, (body) => {
      signed = body;
      return new Uint8Array(64);
    });
    await Promise.resolve();
    const frame = socket.sent[0] as Extract<ClientFrame, { t: 'auth' }>;
    socket.push({ t: 'ok', r: frame.r, x: { k: 'desktop', x: 123 } });
    await expect(auth).resolves.toEqual({ kind: 'desktop', sessionEndsAt: 123 });
    expect(signed).toBeDefined();
  });

  it('times out unanswered requests and fails pending ones on close with the close code', async () => {
    const { socket, client, timers } = await connected();
    const slow = client.countOneTimePrekeys();
    timers.advance(1000);
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    const closes: number[] = [];
    client.on('close', (e) => closes.push(e.code));
    const pending = client.countOneTimePrekeys();
    socket.close(4401, 'session expired');
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    expect(closes).toEqual([4401]);
    await expect(client.countOneTimePrekeys()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('emits pushed envelopes, also those that arrived before anyone listened', async () => {
    const { socket, client, timers } = await connected();
    const id = newEnvelopeId();
    socket.push({ t: 'deliver', i: id, e: new Uint8Array([1]) });
    const got: string[] = [];
    client.on('envelope', (e) => got.push(e.id));
    const id2 = newEnvelopeId();
    socket.push({ t: 'deliver', i: id2, e: new Uint8Array([2]) });
    expect(got).toEqual([id, id2]);
    client.ack(id);
    timers.advance(0);
    // One id alone keeps the original single-id form.
    expect(socket.sent.at(-1)).toEqual({ v: 1, t: 'ack', i: id });
  });

  it('batches the acks of one turn into one frame, at most RELAY_ACK_BATCH_MAX ids each', async () => {
    const { socket, client, timers } = await connected();
    const ids = Array.from({ length: RELAY_ACK_BATCH_MAX + 3 }, () => newEnvelopeId());
    const before = socket.sent.length;
    for (const id of ids) client.ack(id);
    expect(socket.sent.slice(before)).toEqual([{ v: 1, t: 'ack', i: ids.slice(0, RELAY_ACK_BATCH_MAX) }]);
    timers.advance(0);
    expect(socket.sent.slice(before + 1)).toEqual([{ v: 1, t: 'ack', i: ids.slice(RELAY_ACK_BATCH_MAX) }]);
    timers.advance(10);
    expect(socket.sent.length).toBe(before + 2);
  });

  it('sends pending acks before closing, and drops them when the socket closed first', async () => {
    const { socket, client, timers } = await connected();
    const id = newEnvelopeId();
    const before = socket.sent.length;
    client.ack(id);
    client.close();
    expect(socket.sent.slice(before)).toEqual([{ v: 1, t: 'ack', i: id }]);
    const other = await connected();
    other.client.ack(newEnvelopeId());
    other.socket.readyState = 3;
    other.socket.onclose?.({ code: 1006, reason: '' });
    other.timers.advance(0);
    expect(other.socket.sent.filter((f) => f.t === 'ack')).toEqual([]);
    timers.advance(0);
  });

  it('closes on a malformed relay frame', async () => {
    const { socket } = await connected();
    const closes: number[] = [];
    socket.onclose = (e) => closes.push(e.code);
    socket.onmessage?.({ data: new Uint8Array([0xff]).buffer });
    expect(closes).toEqual([4400]);
  });
});
