/** The core's app state (phase, session, lock, settings) as the single source for what to show. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppState } from '../../shared/api';
import { errorCodeOf, useWardline, type UiErrorCode } from '../api';

export const useAppStore = defineStore('app', () => {
  const state = ref<AppState | null>(null);
  /** Set when the first app.getState failed: the UI shows the error view with a retry. */
  const loadError = ref<UiErrorCode | null>(null);
  /** endsAt from the core's session.warning event. */
  const sessionWarningFor = ref<number | null>(null);
  let stops: (() => void)[] = [];

  const phase = computed(() => state.value?.phase ?? 'starting');
  const relayConnected = computed(() => state.value?.relayConnected ?? true);
  const session = computed(() => state.value?.session);

  function apply(next: AppState): void {
    state.value = next;
    loadError.value = null;
    if (next.phase !== 'ready' && next.phase !== 'locked') sessionWarningFor.value = null;
  }

  async function refresh(): Promise<void> {
    try {
      apply(await useWardline().call('app.getState', {}));
    } catch (error) {
      loadError.value = errorCodeOf(error);
    }
  }

  async function start(): Promise<void> {
    stop();
    const api = useWardline();
    stops = [
      api.on('state.changed', apply),
      api.on('session.warning', ({ endsAt }) => {
        sessionWarningFor.value = endsAt;
      }),
    ];
    await refresh();
  }

  function stop(): void {
    for (const s of stops) s();
    stops = [];
  }

  async function logout(wipe: boolean): Promise<void> {
    await useWardline().call(wipe ? 'session.logoutAndWipe' : 'session.logout', {});
    await refresh();
  }

  return { state, loadError, sessionWarningFor, phase, relayConnected, session, apply, refresh, start, stop, logout };
});
