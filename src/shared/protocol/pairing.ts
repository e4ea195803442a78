/**
 * QR pairing of a desktop with the phone that holds the account (docs/protocol.md §14).
 *
 * Public API
 *   Desktop: const o = createPairingOffer(relayUrl, clock)          → { offer, url, ephemeral }; show o.url as QR,
 *            replace it every PAIRING_OFFER_ROTATION_MS, purgePairingOffer(o) when it is replaced.
 *            const channel = await openRendezvousChannel(relayClient, o.offer.channelId)
 *            const r = await runDesktopPairing(channel, o, { workstationId, name }, { onConfirmationCode })
 *              → DesktopPairingResult { accountId, identityKey, profile, deviceKeys, certificate, certificateBytes,
 *                                       deviceList, databaseKey: SecretKey, databaseKeyReused, snapshot, confirmationCode }
 *   Phone:   const offer = parsePairingUrl(url, clock)
 *            const channel = await openRendezvousChannel(relayClient, offer.channelId)
 *            const r = await runPhonePairing(channel, offer, phoneAccount, { approve: (req) => ... })
 *   Errors:  ProtocolError (MALFORMED, UNSUPPORTED_VERSION, EXPIRED, DECRYPT_FAILED, REPLAY, BAD_SIGNATURE,
 *            BAD_CERTIFICATE, IDENTITY_MISMATCH) or PairingError (REJECTED, TIMEOUT, CHANNEL_CLOSED, ABORTED).
 *   Tests:   createMemoryChannelPair() gives two connected in-memory channel ends.
 */
export { createPairingOffer, encodePairingOffer, encodePairingUrl, parsePairingUrl, purgePairingOffer, PAIRING_URL_PREFIX } from './pairing-offer';
export type { DesktopPairingOffer, PairingOffer } from './pairing-offer';
export { createMemoryChannelPair, PairingError, PAIRING_ERROR_CODES } from './pairing-channel';
export type { PairingChannel, PairingErrorCode } from './pairing-channel';
export { runDesktopPairing } from './pairing-desktop';
export type { DesktopInfo, DesktopPairingOptions, DesktopPairingResult } from './pairing-desktop';
export { runPhonePairing } from './pairing-phone';
export type { LinkedDesktop, PairingRequest, PhonePairingAccount, PhonePairingOptions, PhonePairingResult } from './pairing-phone';
export { openRendezvousChannel } from './pairing-rendezvous';
export { DATABASE_KEY_BYTES, zWorkstationId } from './pairing-messages';
export { newWorkstationId } from './pairing-workstation';
