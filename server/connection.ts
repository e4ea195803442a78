/**
 * One device (or rendezvous party) connection: challenge, rate limit, auth timeout, frame
 * dispatch. A failing handler answers with an error frame and never takes the process down.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, CLOSE_REASONS, type CloseCode } from '../src/shared/wire/close-codes';
import { encodeRelayFrame, type ClientFrame, type RelayFrameBody } from '../src/shared/wire/frames';
import type { RelayErrorCode } from '../src/shared/wire/relay-error';
import { asRelayError } from './account-publishing';
import { checkAuth } from './auth';
import type { DeviceLink } from './device-link';
import { decodeFrame } from './frame-decoding';
import type { Peer } from './peer';
import type { RelayContext } from './relay-context';
import { handleRequest } from './requests';
import { TokenBucket } from './token-bucket';

/** Refused frames in a row after which a connection that ignores RATE_LIMITED is closed. */
const MAX_STRIKES = 50;
const OPEN = 1;

let nextConnectionId = 1;

/**
 * Connections with frames waiting in their corked socket. Everything one event-loop iteration
 * writes to a socket (the deliveries, `ok`s and answers caused by all the frames read in that
 * iteration) goes out in one writev when the iteration's I/O callbacks are done, instead of one
 * syscall per frame: socket writes are the largest cost per envelope, and under load more
 * frames arrive per iteration, so the batches grow exactly when the saving matters. Nothing
 * waits for a timer: setImmediate runs right after the poll phase that caused the writes.
 */
const corked: Connection[] = [];

function uncorkAll(): void {
  for (const connection of corked.splice(0)) connection.flushWrites();
}

export class Connection implements Peer {
  readonly id = nextConnectionId++;
  readonly #nonce = randomBytes(32);
  readonly #bucket: TokenBucket;
  #strikes = 0;
  #lastStrike = 0;
  #link: DeviceLink | undefined;
  #authTimer: NodeJS.Timeout | undefined;
  /** Frames written since the last flush sit in the corked socket until the batch is written. */
  #corked = false;

  constructor(
    private readonly ws: WebSocket,
    readonly address: string,
    private readonly ctx: RelayContext,
    /** The TCP (or TLS) socket under `ws`: frames sent in one turn are corked into one write. */
    private readonly socket?: Socket,
  ) {
    this.#bucket = new TokenBucket(ctx.limits.ratePerSecond, ctx.limits.rateBurst);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', (error) => ctx.log.debug({ conn: this.id, err: error.message }, 'socket error'));
    this.#armAuthTimer();
    this.send({ t: 'challenge', n: this.#nonce, h: ctx.authorities[0]! });
  }

  get link(): DeviceLink | undefined {
    return this.#link;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.ws.readyState === OPEN;
  }

  send(frame: RelayFrameBody, onWritten?: () => void): void {
    this.sendEncoded(encodeRelayFrame(frame), onWritten);
  }

  sendEncoded(bytes: Uint8Array, onWritten?: () => void): void {
    if (this.ws.readyState !== OPEN) return;
    if (this.socket && !this.#corked) {
      this.#corked = true;
      this.socket.cork();
      corked.push(this);
      if (corked.length === 1) setImmediate(uncorkAll);
    }
    if (onWritten) this.ws.send(bytes, () => onWritten());
    else this.ws.send(bytes);
  }

  /** Writes what was sent since the last flush (called once per event-loop iteration). */
  flushWrites(): void {
    this.#corked = false;
    this.socket?.uncork();
  }

  close(code: CloseCode): void {
    if (this.ws.readyState === OPEN) this.ws.close(code, CLOSE_REASONS[code]);
    this.#detach();
  }

  fail(code: RelayErrorCode, requestId: number | undefined, closeWith?: CloseCode): void {
    this.send(requestId === undefined ? { t: 'err', c: code } : { t: 'err', r: requestId, c: code });
    if (closeWith !== undefined) this.close(closeWith);
  }

  #armAuthTimer(): void {
    this.#authTimer = setTimeout(() => {
      if (this.#link) return;
      // Someone pairing has no account yet: the rendezvous TTL bounds them instead.
      if (this.ctx.rendezvous.holds(this)) this.#armAuthTimer();
      else this.close(CLOSE_CODES.AUTH_TIMEOUT);
    }, this.ctx.limits.authTimeoutMs);
    this.#authTimer.unref();
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    let requestId: number | undefined;
    try {
      if (!isBinary || !(data instanceof Uint8Array)) return this.fail('MALFORMED', undefined, CLOSE_CODES.MALFORMED);
      const decoded = decodeFrame(data);
      // An ack that releases an envelope is not charged to the bucket: acks are bounded by the
      // delivery window the relay itself fills, and charging them starves a device draining its
      // queue. An ack that releases nothing pays like any other frame.
      if (decoded.ok && decoded.frame.t === 'ack') {
        if (this.#link && this.ctx.router.ack(this.#link, decoded.frame.i) > 0) return;
        if (!this.#bucket.take()) this.#strike(undefined);
        return;
      }
      if (!this.#bucket.take()) return this.#strike(decoded.ok ? ('r' in decoded.frame ? decoded.frame.r : undefined) : decoded.requestId);
      // Forgiven only after a quiet second: a client that keeps pushing at the limit is closed.
      if (this.#strikes && performance.now() - this.#lastStrike > 1000) this.#strikes = 0;
      if (!decoded.ok) {
        const closeWith = decoded.code === 'UNSUPPORTED_VERSION' ? CLOSE_CODES.UNSUPPORTED_VERSION : CLOSE_CODES.MALFORMED;
        return this.fail(decoded.code, decoded.requestId, decoded.fatal ? closeWith : undefined);
      }
      const frame = decoded.frame;
      requestId = 'r' in frame ? frame.r : undefined;
      this.#dispatch(frame);
    } catch (e) {
      const error = asRelayError(e);
      if (error.code === 'INTERNAL') this.ctx.log.error({ conn: this.id, err: String(e) }, 'handler failed');
      this.fail(error.code, requestId);
    }
  }

  #strike(requestId: number | undefined): void {
    this.fail('RATE_LIMITED', requestId);
    this.#lastStrike = performance.now();
    if (++this.#strikes > MAX_STRIKES) this.close(CLOSE_CODES.RATE_LIMITED);
  }

  #dispatch(frame: ClientFrame): void {
    switch (frame.t) {
      case 'auth':
        return this.#authenticate(frame);
      case 'ack':
        // Handled before the rate limit in #onMessage.
        return;
      case 'rv-close':
        return this.ctx.rendezvous.close(this, frame.c);
      default: {
        const r = frame.r;
        try {
          const answer = handleRequest(this.ctx, this, this.#link, frame);
          if (answer === 'deferred') return;
          this.send(answer === undefined ? { t: 'ok', r } : { t: 'ok', r, x: answer });
        } catch (e) {
          const error = asRelayError(e);
          if (error.code === 'INTERNAL') this.ctx.log.error({ conn: this.id, type: frame.t, err: String(e) }, 'request failed');
          this.fail(error.code, r);
        }
      }
    }
  }

  #authenticate(frame: Extract<ClientFrame, { t: 'auth' }>): void {
    if (this.#link) return this.fail('ALREADY_AUTHENTICATED', frame.r);
    const outcome = checkAuth(this.ctx, this.#nonce, frame);
    if (!outcome.ok) {
      this.ctx.log.info({ conn: this.id, device: frame.d, code: outcome.code }, 'auth refused');
      switch (outcome.code) {
        case 'REVOKED':
          this.fail('REVOKED', frame.r);
          if (outcome.wipe) this.send({ t: 'wipe', w: outcome.wipe }, () => this.close(CLOSE_CODES.REVOKED));
          else this.close(CLOSE_CODES.REVOKED);
          return;
        case 'SESSION_EXPIRED':
          return this.fail('SESSION_EXPIRED', frame.r, CLOSE_CODES.SESSION_EXPIRED);
        default:
          return this.fail(outcome.code, frame.r, CLOSE_CODES.AUTH_FAILED);
      }
    }
    clearTimeout(this.#authTimer);
    const device = outcome.device;
    this.send({ t: 'ok', r: frame.r, x: { k: device.kind, x: this.ctx.sessions.endsAt(device) } });
    this.#link = this.ctx.router.attach(device, this);
    this.ctx.log.debug({ conn: this.id, device: device.deviceId }, 'authenticated');
  }

  #detach(): void {
    clearTimeout(this.#authTimer);
    if (this.#link) this.ctx.router.detach(this.#link);
    this.ctx.rendezvous.leave(this);
  }

  #onClose(): void {
    this.#detach();
  }
}

