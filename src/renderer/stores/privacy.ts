/**
 * The privacy screen: after PRIVACY_SCREEN_IDLE_MS without input the content is hidden (removed
 * from the page, not blurred). Revealing takes one click or the PIN, per settings.privacyReveal;
 * the PIN check is the core's lock.unlock, so wrong tries count towards the lockout.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { PRIVACY_SCREEN_IDLE_MS } from '../../shared/limits';
import type { UnlockResult } from '../../shared/api';
import { ACTIVITY_EVENTS, createIdleTimer } from '../privacy/idle-timer';
import { useAppStore } from './app';
import { useLockStore } from './lock';
import { useSettingsStore } from './settings';

export const usePrivacyStore = defineStore('privacy', () => {
  const settings = useSettingsStore();
  const lock = useLockStore();
  const hidden = ref(false);
  const armed = ref(false);

  const app = useAppStore();
  const onIdle = () => {
    hidden.value = true;
  };
  // The managed configuration may shorten the delay; the timer is rebuilt when it differs.
  let timerMs = PRIVACY_SCREEN_IDLE_MS;
  let timer = createIdleTimer(timerMs, onIdle);
  const currentTimer = () => {
    const wanted = app.state?.policy?.privacyScreenMs ?? PRIVACY_SCREEN_IDLE_MS;
    if (wanted !== timerMs && !timer.running) {
      timerMs = wanted;
      timer = createIdleTimer(timerMs, onIdle);
    }
    return timer;
  };
  const onActivity = () => {
    if (!hidden.value) timer.activity();
  };

  /** PIN reveal needs a PIN; without one, one click is the only way back. */
  const revealNeedsPin = computed(() => settings.settings.privacyReveal === 'pin' && lock.hasPin);

  function arm(): void {
    if (armed.value) return;
    armed.value = true;
    if (typeof window !== 'undefined') {
      for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { capture: true, passive: true });
      window.addEventListener('focus', onActivity);
    }
    currentTimer().start();
  }

  function disarm(): void {
    if (!armed.value) return;
    armed.value = false;
    hidden.value = false;
    timer.stop();
    if (typeof window !== 'undefined') {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity, { capture: true });
      window.removeEventListener('focus', onActivity);
    }
  }

  function hideNow(): void {
    hidden.value = true;
    timer.stop();
  }

  function reveal(): void {
    if (revealNeedsPin.value) return;
    show();
  }

  async function revealWithPin(pin: string): Promise<UnlockResult> {
    const result = await lock.unlock(pin);
    if (result.ok) show();
    return result;
  }

  function show(): void {
    hidden.value = false;
    if (armed.value) timer.start();
  }

  return { hidden, armed, revealNeedsPin, arm, disarm, hideNow, reveal, revealWithPin };
});
