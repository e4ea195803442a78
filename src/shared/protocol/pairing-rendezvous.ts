/** The pairing channel over the relay's rendezvous: the relay only forwards opaque frames between two parties. */
import type { RelayClient } from '../wire/relay-client';
import type { PairingChannel } from './pairing-channel';

/**
 * Joins (or creates) rendezvous `channelId` on an already connected client. Messages that arrive
 * before the handshake registers its handler are kept, so none is lost to the race.
 */
export async function openRendezvousChannel(client: RelayClient, channelId: string): Promise<PairingChannel> {
  let handler: ((m: Uint8Array) => void) | null = null;
  const early: Uint8Array[] = [];
  const closeHandlers: (() => void)[] = [];
  let closed = false;
  const unsubscribe: (() => void)[] = [];
  const markClosed = (): void => {
    if (closed) return;
    closed = true;
    for (const u of unsubscribe) u();
    for (const h of closeHandlers) h();
  };
  unsubscribe.push(
    client.on('rendezvous-message', (e) => {
      if (e.channel !== channelId || closed) return;
      if (handler) handler(e.message);
      else early.push(e.message);
    }),
    client.on('rendezvous-closed', (e) => {
      if (e.channel === channelId) markClosed();
    }),
    client.on('close', () => markClosed()),
  );
  try {
    await client.openRendezvous(channelId);
  } catch (error) {
    for (const u of unsubscribe) u();
    throw error;
  }
  return {
    send: (message) => client.sendRendezvous(channelId, message),
    onMessage: (h) => {
      handler = h;
      for (const m of early.splice(0)) h(m);
    },
    onClose: (h) => {
      if (closed) h();
      else closeHandlers.push(h);
    },
    close: () => {
      if (closed) return;
      client.closeRendezvous(channelId);
      markClosed();
    },
  };
}
