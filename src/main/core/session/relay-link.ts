/**
 * The paired device's connection to the relay: connect, authenticate with the device key,
 * reconnect after a network drop (bounded backoff), and tell the session when the relay ends
 * it for good (session expired, device revoked, authentication refused).
 */
import { isWardlineError } from '../../../shared/errors';
import type { AccountId, DeviceId, EnvelopeId } from '../../../shared/protocol/ids';
import type { SecretKey } from '../../../shared/protocol/identity';
import { CLOSE_CODES } from '../../../shared/wire/close-codes';
import { relayAuthSigner } from '../../../shared/wire/relay-auth';
import type { AuthResult, RelayClient } from '../../../shared/wire/relay-client';
import type { Timers } from '../../../shared/wire/timers';
import type { CoreLogger } from '../logging';

export type RelayEndReason = 'SESSION_EXPIRED' | 'REVOKED' | 'AUTH_FAILED';

export interface RelayLinkEvents {
  envelope(id: EnvelopeId, bytes: Uint8Array): void;
  wipe(command: Uint8Array): void;
  connected(auth: AuthResult, first: boolean): Promise<void> | void;
  disconnected(): void;
  /** The relay will not take this device back: the session must end. */
  ended(reason: RelayEndReason): void;
}

export interface RelayLinkOptions {
  readonly connect: () => Promise<RelayClient>;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly signingKey: SecretKey;
  readonly timers: Timers;
  readonly log: CoreLogger;
  readonly events: RelayLinkEvents;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000] as const;
const ENDING_CLOSE_CODES = new Map<number, RelayEndReason>([
  [CLOSE_CODES.SESSION_EXPIRED, 'SESSION_EXPIRED'],
  [CLOSE_CODES.REVOKED, 'REVOKED'],
  [CLOSE_CODES.AUTH_FAILED, 'AUTH_FAILED'],
]);
const ENDING_ERRORS = new Set(['SESSION_EXPIRED', 'REVOKED', 'AUTH_FAILED']);

export class RelayLink {
  readonly #o: RelayLinkOptions;
  #client: RelayClient | null = null;
  #stopped = false;
  #attempt = 0;
  #retry: unknown = null;
  #everConnected = false;

  constructor(options: RelayLinkOptions) {
    this.#o = options;
  }

  /** The authenticated client, or null while (re)connecting. */
  get client(): RelayClient | null {
    return this.#client?.isOpen ? this.#client : null;
  }

  /** First connection: rejects if it fails, so pairing can report it. */
  async start(): Promise<AuthResult> {
    return this.#connectOnce();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== null) this.#o.timers.clearTimeout(this.#retry);
    this.#retry = null;
    const c = this.#client;
    this.#client = null;
    c?.close(CLOSE_CODES.NORMAL, 'logout');
  }

  async #connectOnce(): Promise<AuthResult> {
    const client = await this.#o.connect();
    const first = !this.#everConnected;
    const { events } = this.#o;
    client.on('envelope', (e) => events.envelope(e.id, e.envelope));
    client.on('wipe', (e) => events.wipe(e.command));
    client.on('close', (e) => this.#onClose(client, e.code));
    let auth: AuthResult;
    try {
      auth = await client.authenticate(this.#o.accountId, this.#o.deviceId, relayAuthSigner(this.#o.signingKey));
    } catch (err) {
      client.close();
      if (isWardlineError(err) && ENDING_ERRORS.has(err.code)) this.#end(err.code as RelayEndReason);
      throw err;
    }
    if (this.#stopped) {
      client.close();
      return auth;
    }
    this.#client = client;
    this.#everConnected = true;
    this.#attempt = 0;
    await events.connected(auth, first);
    return auth;
  }

  #onClose(client: RelayClient, code: number): void {
    if (this.#client !== client && this.#client !== null) return;
    this.#client = null;
    if (this.#stopped) return;
    this.#o.events.disconnected();
    const reason = ENDING_CLOSE_CODES.get(code);
    if (reason) return this.#end(reason);
    if (this.#everConnected) this.#scheduleReconnect();
  }

  #end(reason: RelayEndReason): void {
    if (this.#stopped) return;
    this.#o.log.info({ reason }, 'relay ended the device session');
    this.stop();
    this.#o.events.ended(reason);
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retry !== null) return;
    const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
    this.#attempt++;
    this.#retry = this.#o.timers.setTimeout(() => {
      this.#retry = null;
      this.#connectOnce().catch((err: unknown) => {
        this.#o.log.warn({ code: isWardlineError(err) ? err.code : 'INTERNAL', attempt: this.#attempt }, 'relay reconnect failed');
        this.#scheduleReconnect();
      });
    }, delay);
  }
}
