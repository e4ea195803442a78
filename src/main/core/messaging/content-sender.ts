/**
 * Sends one plaintext to a peer account's devices and to our own other devices (fan-out),
 * fetching and verifying prekey bundles for devices we have no session with yet.
 */
import { ProtocolError } from '../../../shared/errors';
import { devicesNeedingBundles, fanOut } from '../../../shared/protocol/fan-out';
import type { AccountId, DeviceId } from '../../../shared/protocol/ids';
import type { PrekeyBundle } from '../../../shared/protocol/prekeys';
import type { SessionCipher } from '../../../shared/protocol/session-cipher';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { CoreLogger } from '../logging';
import type { DeviceDirectory } from './device-directory';

export interface SendOutcome {
  /** Envelopes the relay accepted for the peer's devices / our own devices. */
  readonly peerDevices: number;
  readonly ownDevices: number;
  /** Devices that could not be reached (no prekeys published, relay refused). */
  readonly failed: number;
}

export class ContentSender {
  readonly #cipher: SessionCipher;
  readonly #relay: () => RelayClient | null;
  readonly #directory: DeviceDirectory;
  readonly #ownAccountId: AccountId;
  readonly #log: CoreLogger;

  constructor(deps: { cipher: SessionCipher; relay: () => RelayClient | null; directory: DeviceDirectory; ownAccountId: AccountId; log: CoreLogger }) {
    this.#cipher = deps.cipher;
    this.#relay = deps.relay;
    this.#directory = deps.directory;
    this.#ownAccountId = deps.ownAccountId;
    this.#log = deps.log;
  }

  async send(peer: AccountId, plaintext: Uint8Array): Promise<SendOutcome> {
    const relay = this.#relay();
    if (!relay?.isOpen) throw new ProtocolError('NO_SESSION', 'relay not connected');
    const recipients = peer === this.#ownAccountId ? [] : [await this.#directory.get(peer, { refresh: true })];
    const own = await this.#directory.get(this.#ownAccountId, { refresh: true });
    const lists = { recipients, own };
    const missing = await devicesNeedingBundles(this.#cipher, recipients, own);
    const bundles = new Map<DeviceId, PrekeyBundle>();
    for (const accountId of new Set(missing.map((t) => t.accountId))) {
      for (const b of await relay.getPrekeyBundles(accountId)) bundles.set(b.deviceId, { accountId, ...b });
    }
    const result = await fanOut(this.#cipher, lists, plaintext, { bundles });
    let peerDevices = 0;
    let ownDevices = 0;
    let failed = result.needBundle.length;
    for (const e of result.envelopes) {
      try {
        await relay.send(e.bytes);
        if (e.accountId === this.#ownAccountId) ownDevices++;
        else peerDevices++;
      } catch (err) {
        failed++;
        this.#log.warn({ deviceId: e.deviceId, code: (err as { code?: string }).code }, 'envelope not accepted by relay');
      }
    }
    if (result.needBundle.length > 0) this.#log.info({ count: result.needBundle.length }, 'devices without prekeys skipped');
    return { peerDevices, ownDevices, failed };
  }
}
