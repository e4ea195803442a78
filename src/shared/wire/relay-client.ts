/**
 * The relay client: one WebSocket to the relay, typed requests, pushed events.
 *
 * Public API
 *   const client = await RelayClient.connect({ url, connect: (u) => new WebSocket(u) })   // waits for the challenge
 *   await client.authenticate(accountId, deviceId, relayAuthSigner(device.signing.secretKey))
 *       → { kind: 'phone' | 'desktop', sessionEndsAt: number | null }
 *   client.publishDeviceList(list, wipeCommands?) → { version }        (allowed before auth)
 *   client.getDeviceList(accountId) → Uint8Array | null               (allowed before auth)
 *   client.putSignedPrekey(bytes), client.putOneTimePrekeys([{ id, key }]) → stored count,
 *   client.countOneTimePrekeys() → number, client.getPrekeyBundles(accountId) → PrekeyBundle[]
 *   client.putAttestation(name, blob), client.getAttestations(accountId) → { name, blob }[]
 *   client.publishVerification(bytes), client.publishRevocations(bytes)   (authority-signed; allowed before auth)
 *   client.searchDirectory(query) → { accountId, attestation }[]        (verified accounts only)
 *   client.publishGroupListing(bytes), client.searchGroups(query) → listing bytes[]   (search: verified accounts only)
 *   client.send(sealedEnvelopeBytes) → 'stored' | 'delivered'   (resolves only once the relay holds it durably)
 *   client.ack(envelopeId)             after the envelope is safely stored on this device (acks of one
 *                                      turn are sent together as one frame, at most RELAY_ACK_BATCH_MAX ids)
 *   client.openRendezvous(id) → parties (1 or 2), client.sendRendezvous(id, bytes), client.closeRendezvous(id)
 *   client.createBlob(size) → blobId, client.putBlobChunk(id, offset, bytes) → received,
 *   client.blobStatus(id) → { received, size }, client.getBlobChunk(id, offset, length) → { data, size }
 *       (attachment transfer on top of these: src/shared/attachments/attachment-transfer.ts)
 *   client.on('envelope' | 'wipe' | 'rendezvous-message' | 'rendezvous-peer' | 'rendezvous-closed' | 'error' | 'close', handler)
 *       → unsubscribe. Events that arrive while nobody listens are kept (bounded) for the first listener.
 *   client.putBackupChunk(header, verifierKey, i, chunk) → 'staged' | 'stored'   (phone; docs/protocol.md §16)
 *   client.getBackupChallenge(accountId) → { header, challenge }, client.proveBackupCode(accountId, sig) → chunk count,
 *   client.getBackupChunk(accountId, i) → bytes                         (restore; no auth needed)
 *   client.close()
 * Failed requests reject with RelayError (code from the relay, or TIMEOUT / CLOSED). There is no
 * automatic reconnect: on 'close' the caller decides (e.g. not after SESSION_EXPIRED / REVOKED).
 */
import { ProtocolError } from '../errors';
import { RELAY_ACK_BATCH_MAX } from '../limits';
import type { AccountId, DeviceId, EnvelopeId } from '../protocol/ids';
import {
  decodeRelayFrame,
  encodeClientFrame,
  zResults,
  type ClientFrameBody,
  type ClientRequestType,
  type RelayFrame,
  type RendezvousCloseReason,
  type ResultOf,
} from './frames';
import { relayAuthBody, relayAuthority, type RelayAuthSigner } from './relay-auth';
import { RelayError } from './relay-error';
import { runtimeTimers, type Timers } from './timers';

/** Method declarations are bivariant, so `ws` and browser WebSockets both fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The subset of the WHATWG / `ws` WebSocket the client needs. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface RelayClientOptions {
  readonly url: string;
  readonly connect: WebSocketFactory;
  /** Default 15 s. */
  readonly requestTimeoutMs?: number;
  readonly timers?: Timers;
}

export interface OneTimePrekey {
  readonly id: number;
  readonly key: Uint8Array;
}
export interface PrekeyBundle {
  readonly deviceId: DeviceId;
  readonly signedPrekey: Uint8Array;
  readonly oneTimePrekey?: OneTimePrekey;
}
export interface AuthResult {
  readonly kind: 'phone' | 'desktop';
  /** When the relay will end this desktop's session (ms since epoch); null for a phone. */
  readonly sessionEndsAt: number | null;
}

export interface RelayClientEvents {
  envelope: { readonly id: EnvelopeId; readonly envelope: Uint8Array };
  wipe: { readonly command: Uint8Array };
  'rendezvous-message': { readonly channel: string; readonly message: Uint8Array };
  'rendezvous-peer': { readonly channel: string };
  'rendezvous-closed': { readonly channel: string; readonly reason: RendezvousCloseReason };
  /** Relay-level error not tied to a request (usually followed by a close). */
  error: { readonly error: RelayError };
  close: { readonly code: number; readonly reason: string };
}
type Listener<K extends keyof RelayClientEvents> = (event: RelayClientEvents[K]) => void;

interface Pending {
  readonly type: ClientRequestType;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RelayError) => void;
  readonly timer: unknown;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const OPEN = 1;
/** Envelopes beyond this, unheard, are dropped here; unacked, the relay delivers them again. */
const MAX_UNHEARD = 1024;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

export class RelayClient {
  readonly #ws: WebSocketLike;
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  readonly #authority: string;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<keyof RelayClientEvents, Set<(event: never) => void>>();
  /** Events that arrived before anyone listened (e.g. envelopes pushed right after auth). */
  readonly #unheard: { event: keyof RelayClientEvents; value: unknown }[] = [];
  #nextId = 1;
  #challenge: { nonce: Uint8Array; authority: string } | undefined;
  #closed: { code: number; reason: string } | undefined;
  #acks: EnvelopeId[] = [];
  #ackTimer: unknown;

  private constructor(ws: WebSocketLike, authority: string, options: RelayClientOptions) {
    this.#ws = ws;
    this.#authority = authority;
    this.#timers = options.timers ?? runtimeTimers;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Opens the socket and waits for the relay's challenge. Rejects with RelayError CLOSED / TIMEOUT. */
  static connect(options: RelayClientOptions): Promise<RelayClient> {
    const authority = relayAuthority(options.url);
    if (!authority) return Promise.reject(new RelayError('MALFORMED', 'relay url must be ws:// or wss://'));
    const ws = options.connect(options.url);
    ws.binaryType = 'arraybuffer';
    const client = new RelayClient(ws, authority, options);
    const timers = options.timers ?? runtimeTimers;
    return new Promise<RelayClient>((resolve, reject) => {
      const timer = timers.setTimeout(() => {
        reject(new RelayError('TIMEOUT', 'no challenge from relay'));
        ws.close();
      }, options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
      ws.onmessage = (event) => {
        client.#onMessage(event.data);
        if (client.#challenge) {
          timers.clearTimeout(timer);
          resolve(client);
        }
      };
      ws.onclose = (event) => {
        timers.clearTimeout(timer);
        client.#onClose(event.code, event.reason);
        reject(new RelayError('CLOSED', `closed before challenge (${event.code})`));
      };
      ws.onerror = () => undefined;
    });
  }

  get isOpen(): boolean {
    return this.#closed === undefined && this.#ws.readyState === OPEN;
  }

  /** Bytes queued in the socket and not yet sent: callers sending in bulk can pace on this. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  on<K extends keyof RelayClientEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    const unheard = this.#unheard.filter((u) => u.event === event);
    if (unheard.length) {
      this.#unheard.splice(0, this.#unheard.length, ...this.#unheard.filter((u) => u.event !== event));
      for (const u of unheard) listener(u.value as RelayClientEvents[K]);
    }
    return () => set.delete(listener);
  }

  async authenticate(accountId: AccountId, deviceId: DeviceId, signer: RelayAuthSigner): Promise<AuthResult> {
    const challenge = this.#challenge;
    if (!challenge) throw new RelayError('CLOSED', 'no challenge');
    // Sign the authority we dialled, not the one the relay claims: that is what makes a
    // signature useless to a relay we did not mean to talk to.
    const signature = await signer(relayAuthBody(challenge.nonce, this.#authority, accountId, deviceId));
    const result = await this.#request({ t: 'auth', r: 0, a: accountId, d: deviceId, s: signature });
    return { kind: result.k, sessionEndsAt: result.x };
  }

  async publishDeviceList(list: Uint8Array, wipeCommands: readonly Uint8Array[] = []): Promise<{ version: number }> {
    const frame: ClientFrameBody = wipeCommands.length
      ? { t: 'publish-device-list', r: 0, l: list, w: [...wipeCommands] }
      : { t: 'publish-device-list', r: 0, l: list };
    const result = await this.#request(frame);
    return { version: result.n };
  }

  async getDeviceList(accountId: AccountId): Promise<Uint8Array | null> {
    return (await this.#request({ t: 'get-device-list', r: 0, a: accountId })).l;
  }

  async putSignedPrekey(signedPrekey: Uint8Array): Promise<void> {
    await this.#request({ t: 'put-signed-prekey', r: 0, k: signedPrekey });
  }

  /** Returns how many one-time prekeys the relay now holds for this device. */
  async putOneTimePrekeys(keys: readonly OneTimePrekey[]): Promise<number> {
    return (await this.#request({ t: 'put-one-time-prekeys', r: 0, k: keys.map((k) => ({ i: k.id, k: k.key })) })).n;
  }

  async countOneTimePrekeys(): Promise<number> {
    return (await this.#request({ t: 'count-one-time-prekeys', r: 0 })).n;
  }

  /** One bundle per device of the account that has a signed prekey; each one-time prekey is handed out once. */
  async getPrekeyBundles(accountId: AccountId): Promise<PrekeyBundle[]> {
    const { b } = await this.#request({ t: 'get-prekey-bundles', r: 0, a: accountId });
    return b.map((x) => (x.o ? { deviceId: x.d, signedPrekey: x.s, oneTimePrekey: { id: x.o.i, key: x.o.k } } : { deviceId: x.d, signedPrekey: x.s }));
  }

  async putAttestation(name: string, blob: Uint8Array): Promise<void> {
    await this.#request({ t: 'put-attestation', r: 0, n: name, b: blob });
  }

  async getAttestations(accountId: AccountId): Promise<{ name: string; blob: Uint8Array }[]> {
    return (await this.#request({ t: 'get-attestations', r: 0, a: accountId })).a.map((x) => ({ name: x.n, blob: x.b }));
  }

  /** Authority-signed verification attestation (src/shared/trust/); allowed before auth. */
  async publishVerification(attestation: Uint8Array): Promise<void> {
    await this.#request({ t: 'publish-verification', r: 0, b: attestation });
  }

  /** Authority-signed revocation list; allowed before auth. */
  async publishRevocations(list: Uint8Array): Promise<void> {
    await this.#request({ t: 'publish-revocations', r: 0, b: list });
  }

  /** Verified professionals matching `query`; rejects with NOT_VERIFIED for an unverified account. Verify each hit. */
  async searchDirectory(query: string): Promise<{ accountId: AccountId; attestation: Uint8Array }[]> {
    return (await this.#request({ t: 'search-directory', r: 0, q: query })).h.map((x) => ({ accountId: x.a, attestation: x.b }));
  }

  /** A group admin's signed listing (src/shared/groups/group-listing.ts); a listing with `listed: false` withdraws it. */
  async publishGroupListing(listing: Uint8Array): Promise<void> {
    await this.#request({ t: 'publish-group-listing', r: 0, b: listing });
  }

  /** Discoverable groups matching `query`; rejects with NOT_VERIFIED for an unverified account. Verify each listing. */
  async searchGroups(query: string): Promise<Uint8Array[]> {
    return (await this.#request({ t: 'search-groups', r: 0, q: query })).h.map((x) => x.b);
  }

  /** Resolves once the relay stored the envelope durably or the recipient acknowledged it. */
  async send(sealedEnvelope: Uint8Array): Promise<'stored' | 'delivered'> {
    return (await this.#request({ t: 'send', r: 0, e: sealedEnvelope })).s;
  }

  /** Tell the relay a delivered envelope is safe on this device; until then it is redelivered on reconnect. */
  ack(id: EnvelopeId): void {
    // Acks of one burst of deliveries go out as one frame: fewer frames for the relay to read.
    this.#acks.push(id);
    if (this.#acks.length >= RELAY_ACK_BATCH_MAX) this.#flushAcks();
    else this.#ackTimer ??= this.#timers.setTimeout(() => this.#flushAcks(), 0);
  }

  #flushAcks(): void {
    if (this.#ackTimer !== undefined) this.#timers.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const ids = this.#acks;
    this.#acks = [];
    // A single id keeps the original form, which relays before batching understand.
    if (ids.length === 1) this.#sendFrame({ t: 'ack', i: ids[0]! });
    else if (ids.length > 1) this.#sendFrame({ t: 'ack', i: ids });
  }

  /** Joins (or creates) a rendezvous channel; resolves with the number of parties now in it. */
  async openRendezvous(channel: string): Promise<number> {
    return (await this.#request({ t: 'rv-open', r: 0, c: channel })).p;
  }

  async sendRendezvous(channel: string, message: Uint8Array): Promise<void> {
    await this.#request({ t: 'rv-send', r: 0, c: channel, m: message });
  }

  closeRendezvous(channel: string): void {
    this.#sendFrame({ t: 'rv-close', c: channel });
  }

  /** Reserves a blob of `size` ciphertext bytes at the relay; resolves with its id. */
  async createBlob(size: number): Promise<string> {
    return (await this.#request({ t: 'blob-create', r: 0, s: size })).b;
  }

  /** Appends at `offset` (must equal the bytes received so far); resolves with the new total. */
  async putBlobChunk(blobId: string, offset: number, data: Uint8Array): Promise<number> {
    return (await this.#request({ t: 'blob-put', r: 0, b: blobId, o: offset, d: data })).n;
  }

  async blobStatus(blobId: string): Promise<{ received: number; size: number }> {
    const { n, s } = await this.#request({ t: 'blob-status', r: 0, b: blobId });
    return { received: n, size: s };
  }

  /** Reads up to `length` bytes of a complete blob from `offset`. */
  async getBlobChunk(blobId: string, offset: number, length: number): Promise<{ data: Uint8Array; size: number }> {
    const { d, s } = await this.#request({ t: 'blob-get', r: 0, b: blobId, o: offset, n: length });
    return { data: d, size: s };
  }

  /** Backup & Restore (phone only): uploads chunk `index`; 'stored' once the whole backup replaced the old one. */
  async putBackupChunk(header: Uint8Array, verifierKey: Uint8Array, index: number, chunk: Uint8Array): Promise<'staged' | 'stored'> {
    return (await this.#request({ t: 'backup-put', r: 0, h: header, k: verifierKey, i: index, d: chunk })).s;
  }

  /** Restore step 1 (no auth needed): the account's backup header and a challenge for this connection. */
  async getBackupChallenge(accountId: AccountId): Promise<{ header: Uint8Array; challenge: Uint8Array }> {
    const x = await this.#request({ t: 'backup-challenge', r: 0, a: accountId });
    return { header: x.h, challenge: x.n };
  }

  /** Restore step 2: the challenge signed with the verifier key; resolves with the chunk count. */
  async proveBackupCode(accountId: AccountId, signature: Uint8Array): Promise<number> {
    return (await this.#request({ t: 'backup-prove', r: 0, a: accountId, s: signature })).n;
  }

  /** Restore step 3. */
  async getBackupChunk(accountId: AccountId, index: number): Promise<Uint8Array> {
    return (await this.#request({ t: 'backup-get', r: 0, a: accountId, i: index })).d;
  }

  close(code = 1000, reason = ''): void {
    this.#flushAcks();
    this.#ws.close(code, reason);
  }

  #request<T extends ClientRequestType>(frame: Extract<ClientFrameBody, { t: T }>): Promise<ResultOf<T>> {
    const type: ClientRequestType = (frame as { t: T }).t;
    if (this.#closed || this.#ws.readyState !== OPEN) return Promise.reject(new RelayError('CLOSED', 'connection closed'));
    const r = this.#nextId;
    this.#nextId = this.#nextId >= 0xffff_ffff ? 1 : this.#nextId + 1;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#pending.delete(r);
        reject(new RelayError('TIMEOUT', `${type}: no answer`));
      }, this.#timeoutMs);
      this.#pending.set(r, { type, resolve: resolve as (value: unknown) => void, reject, timer });
      this.#sendFrame({ ...frame, r });
    });
  }

  #sendFrame(frame: ClientFrameBody): void {
    if (this.#ws.readyState === OPEN) this.#ws.send(encodeClientFrame(frame));
  }

  #emit<K extends keyof RelayClientEvents>(event: K, value: RelayClientEvents[K]): void {
    const set = this.#listeners.get(event);
    if (!set?.size) {
      if (this.#unheard.length < MAX_UNHEARD) this.#unheard.push({ event, value });
      return;
    }
    for (const listener of set) (listener as Listener<K>)(value);
  }

  #onMessage(data: unknown): void {
    const bytes = toBytes(data);
    let frame: RelayFrame;
    try {
      if (!bytes) throw new ProtocolError('MALFORMED', 'text frame');
      frame = decodeRelayFrame(bytes);
    } catch {
      // A relay speaking garbage is not one we can talk to.
      this.#ws.close(4400, 'malformed frame');
      return;
    }
    this.#dispatch(frame);
  }

  #dispatch(frame: RelayFrame): void {
    switch (frame.t) {
      case 'challenge':
        this.#challenge = { nonce: frame.n, authority: frame.h };
        return;
      case 'ok':
      case 'err': {
        if (frame.r === undefined) {
          if (frame.t === 'err') this.#emit('error', { error: new RelayError(frame.c) });
          return;
        }
        const pending = this.#pending.get(frame.r);
        if (!pending) return;
        this.#pending.delete(frame.r);
        this.#timers.clearTimeout(pending.timer);
        if (frame.t === 'err') return pending.reject(new RelayError(frame.c, `${pending.type}: ${frame.c}`));
        const parsed = zResults[pending.type].safeParse(frame.x);
        if (!parsed.success) return pending.reject(new RelayError('MALFORMED', `${pending.type}: bad result`));
        return pending.resolve(parsed.data);
      }
      case 'deliver':
        return this.#emit('envelope', { id: frame.i, envelope: frame.e });
      case 'wipe':
        return this.#emit('wipe', { command: frame.w });
      case 'rv-msg':
        return this.#emit('rendezvous-message', { channel: frame.c, message: frame.m });
      case 'rv-peer':
        return this.#emit('rendezvous-peer', { channel: frame.c });
      case 'rv-closed':
        return this.#emit('rendezvous-closed', { channel: frame.c, reason: frame.why });
    }
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = { code, reason };
    if (this.#ackTimer !== undefined) this.#timers.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#acks = [];
    for (const [r, pending] of this.#pending) {
      this.#timers.clearTimeout(pending.timer);
      pending.reject(new RelayError('CLOSED', `${pending.type}: connection closed (${code})`));
      this.#pending.delete(r);
    }
    this.#emit('close', { code, reason });
  }
}
