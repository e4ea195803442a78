/** The rotating pairing offer (QR URL) and the handshake's progress, as the core reports them. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PairingOffer, PairingProgress } from '../../shared/api';
import { errorCodeOf, useWardline, type UiErrorCode } from '../api';

export const usePairingStore = defineStore('pairing', () => {
  const offer = ref<PairingOffer | null>(null);
  const progress = ref<PairingProgress>({ step: 'waiting' });
  const error = ref<UiErrorCode | null>(null);
  let stops: (() => void)[] = [];

  function listen(): void {
    if (stops.length) return;
    const api = useWardline();
    stops = [
      api.on('pairing.offer', (next) => {
        offer.value = next;
        // A new offer means a fresh handshake; an earlier failure no longer applies.
        if (progress.value.step === 'failed') progress.value = { step: 'waiting' };
      }),
      api.on('pairing.progress', (next) => {
        progress.value = next;
      }),
    ];
  }

  async function start(): Promise<void> {
    listen();
    error.value = null;
    progress.value = { step: 'waiting' };
    try {
      offer.value = await useWardline().call('pairing.start', {});
    } catch (e) {
      error.value = errorCodeOf(e);
    }
  }

  /** The screen closed (paired, or the phase changed): stop listening and forget the offer. */
  function leave(): void {
    for (const s of stops) s();
    stops = [];
    offer.value = null;
    progress.value = { step: 'waiting' };
  }

  return { offer, progress, error, start, leave };
});
