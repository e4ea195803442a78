/**
 * Kiosk mode in the renderer: reports input to the core (which owns the idle log-out) and holds
 * the countdown the core announces. The log-out itself, and the wipe, happen in the core.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { IDLE_ACTIVITY_REPORT_MS } from '../../shared/limits';
import { useWardline } from '../api';
import { createActivityReport } from '../kiosk/activity-report';
import { ACTIVITY_EVENTS } from '../privacy/idle-timer';

export const useKioskStore = defineStore('kiosk', () => {
  /** When the idle log-out happens unless someone touches the screen; null: no countdown. */
  const logoutAt = ref<number | null>(null);
  const armed = ref(false);
  let stopEvent: (() => void) | null = null;

  const report = createActivityReport(IDLE_ACTIVITY_REPORT_MS, () => {
    useWardline()
      .call('session.activity', {})
      .catch(() => undefined);
  });
  const onActivity = () => report.activity();
  // Focus moves by itself (the countdown focuses its button): only a person's input counts here.
  const inputEvents = ACTIVITY_EVENTS.filter((name) => name !== 'focusin');

  function arm(): void {
    if (armed.value) return;
    armed.value = true;
    stopEvent ??= useWardline().on('session.idleLogout', ({ logoutAt: at }) => {
      logoutAt.value = at;
    });
    if (typeof window !== 'undefined') {
      for (const name of inputEvents) window.addEventListener(name, onActivity, { capture: true, passive: true });
    }
  }

  function disarm(): void {
    logoutAt.value = null;
    if (!armed.value) return;
    armed.value = false;
    if (typeof window !== 'undefined') {
      for (const name of inputEvents) window.removeEventListener(name, onActivity, { capture: true });
    }
  }

  /** "I'm still here": reported at once, whatever the interval. */
  function stay(): void {
    report.flush();
  }

  return { logoutAt, armed, arm, disarm, stay };
});
