/** Setting the PIN, unlocking with the core's lockout rules, and locking on demand. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { UnlockResult } from '../../shared/api';
import { useWardline } from '../api';
import { useAppStore } from './app';

export const useLockStore = defineStore('lock', () => {
  const app = useAppStore();
  const lastResult = ref<UnlockResult | null>(null);
  const busy = ref(false);

  const hasPin = computed(() => app.state?.lock.hasPin ?? false);
  const lockedOutUntil = computed<number | undefined>(() => {
    const r = lastResult.value;
    if (r && !r.ok && r.code === 'LOCKED_OUT') return Math.max(r.until, app.state?.lock.lockedOutUntil ?? 0);
    return app.state?.lock.lockedOutUntil;
  });
  const triesLeft = computed<number | undefined>(() => {
    const r = lastResult.value;
    if (r && !r.ok && r.code === 'WRONG_PIN') return r.triesLeft;
    return app.state?.lock.triesLeft;
  });

  async function unlock(pin: string): Promise<UnlockResult> {
    busy.value = true;
    try {
      const result = await useWardline().call('lock.unlock', { pin });
      lastResult.value = result;
      // Either way the core's lock state moved (phase, tries left, lockout end): show its truth.
      await app.refresh();
      return result;
    } finally {
      busy.value = false;
    }
  }

  /** Throws ApiCallError (PIN_POLICY when the core refuses the PIN). */
  async function setPin(pin: string, currentPin?: string): Promise<void> {
    busy.value = true;
    try {
      await useWardline().call('lock.setPin', currentPin === undefined ? { pin } : { pin, currentPin });
      lastResult.value = null;
      await app.refresh();
    } finally {
      busy.value = false;
    }
  }

  async function lockNow(): Promise<void> {
    await useWardline().call('lock.lockNow', {});
    lastResult.value = null;
    await app.refresh();
  }

  function forgetResult(): void {
    lastResult.value = null;
  }

  return { lastResult, busy, hasPin, lockedOutUntil, triesLeft, unlock, setPin, lockNow, forgetResult };
});
