/**
 * One pairing, timed from the moment the desktop has a QR offer to show until the desktop is
 * usable: handshake over the relay's rendezvous, the phone's new device list accepted by the
 * relay, the desktop authenticated as its new device and its encrypted store opened with the
 * key the phone handed over. The QR image itself is skipped: the phone parses the offer URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAccountStore } from '../../src/main/core/store/account-store';
import { systemClock } from '../../src/shared/clock';
import {
  createPairingOffer,
  newWorkstationId,
  openRendezvousChannel,
  parsePairingUrl,
  purgePairingOffer,
  runDesktopPairing,
  runPhonePairing,
} from '../../src/shared/protocol/pairing';
import { relayAuthSigner } from '../../src/shared/wire/relay-auth';
import { RelayClient } from '../../src/shared/wire/relay-client';
import { connectWs, type BenchPhone } from './bench-phone';

export interface PairingTiming {
  /** Offer shown → desktop has the phone's approval and keys. */
  readonly handshakeMs: number;
  /** Offer shown → authenticated as the new device with its store open. */
  readonly usableMs: number;
}

export async function pairOnce(relayUrl: string, phone: BenchPhone): Promise<PairingTiming> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-bench-pair-'));
  const t0 = performance.now();
  const offer = createPairingOffer(relayUrl, systemClock);
  const desktopRendezvous = await RelayClient.connect({ url: relayUrl, connect: connectWs });
  let desktopClient: RelayClient | undefined;
  try {
    const desktopChannel = await openRendezvousChannel(desktopRendezvous, offer.offer.channelId);
    const desktopSide = runDesktopPairing(desktopChannel, offer, { workstationId: newWorkstationId(), name: 'Bench ward desk' });

    // The phone scans the QR code.
    const scanned = parsePairingUrl(offer.url, systemClock);
    const phoneChannel = await openRendezvousChannel(phone.client, scanned.channelId);
    const phoneSide = runPhonePairing(phoneChannel, scanned, phone.pairing, { approve: () => true });

    const [result] = await Promise.all([desktopSide, phoneSide]);
    const handshakeMs = performance.now() - t0;
    purgePairingOffer(offer);

    desktopClient = await RelayClient.connect({ url: relayUrl, connect: connectWs });
    await desktopClient.authenticate(result.accountId, result.deviceKeys.deviceId, relayAuthSigner(result.deviceKeys.signing.secretKey));
    const store = openAccountStore({ dataDir, accountId: result.accountId, key: result.databaseKey.bytes, clock: systemClock });
    const usableMs = performance.now() - t0;
    store.close();
    result.databaseKey.purge();
    return { handshakeMs, usableMs };
  } finally {
    desktopRendezvous.close();
    desktopClient?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
