/**
 * The pairing screen's work: while it is open, show a fresh one-time offer (QR URL) and
 * replace it every PAIRING_OFFER_ROTATION_MS until a phone joins; then run the handshake,
 * report progress, and hand the result to the core. A failed attempt starts a new offer.
 */
import type { PairingOffer as ApiPairingOffer, PairingProgress } from '../../../shared/api';
import type { Clock } from '../../../shared/clock';
import { isWardlineError } from '../../../shared/errors';
import { PAIRING_OFFER_ROTATION_MS } from '../../../shared/limits';
import {
  createPairingOffer,
  openRendezvousChannel,
  purgePairingOffer,
  runDesktopPairing,
  type DesktopInfo,
  type DesktopPairingOffer,
  type DesktopPairingResult,
  type PairingChannel,
} from '../../../shared/protocol/pairing';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { Timers } from '../../../shared/wire/timers';
import { CoreError } from '../core-error';
import type { CoreLogger } from '../logging';

export interface PairingScreenDeps {
  readonly relayUrl: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: CoreLogger;
  readonly desktop: () => DesktopInfo;
  /** A fresh, unauthenticated relay connection for the rendezvous. */
  readonly connect: () => Promise<RelayClient>;
  readonly onOffer: (offer: ApiPairingOffer) => void;
  readonly onProgress: (progress: PairingProgress) => void;
  /** The rendezvous connection to the relay came up or went down. */
  readonly onRelayConnected?: (connected: boolean) => void;
  /** Takes ownership of the result's keys; a throw reports the attempt as failed. */
  readonly onPaired: (result: DesktopPairingResult) => Promise<void>;
}

interface Attempt {
  readonly offer: DesktopPairingOffer;
  /** When the screen replaces this offer (or its own expiry, if sooner). */
  readonly replacedAt: number;
  readonly channel: PairingChannel;
  phoneJoined: boolean;
}

export class PairingScreen {
  readonly #d: PairingScreenDeps;
  #client: RelayClient | null = null;
  #attempt: Attempt | null = null;
  #rotation: unknown = null;
  #open = false;
  #generation = 0;

  constructor(deps: PairingScreenDeps) {
    this.#d = deps;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Opens the screen (or returns the offer on show) and starts rotating offers. */
  async start(): Promise<ApiPairingOffer> {
    // Asking again (a re-rendered screen) must not break a handshake that is under way.
    if (this.#open && this.#attempt) return this.#apiOffer(this.#attempt);
    this.#open = true;
    return this.#newOffer();
  }

  /** Closes the screen: the offer on display stops working at once. */
  cancel(): void {
    this.#open = false;
    this.#generation++;
    this.#stopRotation();
    this.#endAttempt();
    const client = this.#client;
    this.#client = null;
    client?.close();
  }

  async #newOffer(): Promise<ApiPairingOffer> {
    const generation = ++this.#generation;
    this.#stopRotation();
    this.#endAttempt();
    const client = await this.#relay();
    const offer = createPairingOffer(this.#d.relayUrl, this.#d.clock);
    let base: PairingChannel;
    try {
      base = await openRendezvousChannel(client, offer.offer.channelId);
    } catch (err) {
      purgePairingOffer(offer);
      throw new CoreError('RELAY_UNAVAILABLE', 'rendezvous', { cause: err });
    }
    if (generation !== this.#generation) {
      purgePairingOffer(offer);
      base.close();
      throw new CoreError('NOT_FOUND', 'pairing superseded');
    }
    const attempt: Attempt = {
      offer,
      replacedAt: Math.min(offer.offer.expiresAt, this.#d.clock.now() + PAIRING_OFFER_ROTATION_MS),
      channel: withJoinSignal(base, () => {
        attempt.phoneJoined = true;
        this.#stopRotation();
        this.#d.onProgress({ step: 'phone-connected' });
      }),
      phoneJoined: false,
    };
    this.#attempt = attempt;
    this.#rotation = this.#d.timers.setTimeout(() => this.#rotate(generation), PAIRING_OFFER_ROTATION_MS);
    void this.#run(attempt, generation);
    this.#d.onProgress({ step: 'waiting' });
    return this.#apiOffer(attempt);
  }

  #rotate(generation: number): void {
    this.#rotation = null;
    if (!this.#open || generation !== this.#generation || this.#attempt?.phoneJoined) return;
    this.#newOffer().then(
      (offer) => this.#d.onOffer(offer),
      (err: unknown) => this.#d.log.warn({ code: isWardlineError(err) ? err.code : 'INTERNAL' }, 'pairing offer rotation failed'),
    );
  }

  async #run(attempt: Attempt, generation: number): Promise<void> {
    try {
      const result = await runDesktopPairing(attempt.channel, attempt.offer, this.#d.desktop(), {
        clock: this.#d.clock,
        timers: this.#d.timers,
        onConfirmationCode: (confirmationCode) => this.#d.onProgress({ step: 'confirming', confirmationCode }),
      });
      if (generation !== this.#generation) {
        result.databaseKey.purge();
        return;
      }
      await this.#d.onPaired(result);
      this.#d.onProgress({ step: 'completed' });
      this.cancel();
    } catch (err) {
      // A rotated or cancelled attempt ends with its channel closed: that is not a failure.
      if (generation !== this.#generation || !attempt.phoneJoined) return;
      const errorCode = isWardlineError(err) ? err.code : 'INTERNAL';
      this.#d.log.warn({ code: errorCode }, 'pairing failed');
      this.#d.onProgress({ step: 'failed', errorCode });
      if (this.#open) {
        this.#newOffer().then(
          (offer) => this.#d.onOffer(offer),
          () => undefined,
        );
      }
    } finally {
      purgePairingOffer(attempt.offer);
    }
  }

  async #relay(): Promise<RelayClient> {
    if (this.#client?.isOpen) return this.#client;
    let client: RelayClient;
    try {
      client = await this.#d.connect();
    } catch (err) {
      this.#d.onRelayConnected?.(false);
      throw new CoreError('RELAY_UNAVAILABLE', 'relay', { cause: err });
    }
    this.#client = client;
    this.#d.onRelayConnected?.(true);
    client.on('close', () => {
      if (this.#client === client) this.#d.onRelayConnected?.(false);
    });
    return client;
  }

  #apiOffer(attempt: Attempt): ApiPairingOffer {
    return { url: attempt.offer.url, expiresAt: attempt.replacedAt };
  }

  #endAttempt(): void {
    this.#attempt?.channel.close();
    this.#attempt = null;
  }

  #stopRotation(): void {
    if (this.#rotation !== null) this.#d.timers.clearTimeout(this.#rotation);
    this.#rotation = null;
  }
}

/** The phone's first message (its hello) means someone scanned the code: stop rotating. */
function withJoinSignal(channel: PairingChannel, joined: () => void): PairingChannel {
  let seen = false;
  return {
    send: (m) => channel.send(m),
    onMessage: (handler) =>
      channel.onMessage((m) => {
        if (!seen) {
          seen = true;
          joined();
        }
        handler(m);
      }),
    onClose: (handler) => channel.onClose(handler),
    close: () => channel.close(),
  };
}
