import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { Settings } from '../../shared/api';
import { useWardline } from '../api';
import { useAppStore } from './app';

const DEFAULT_SETTINGS: Settings = { language: 'en', notifications: 'private', privacyReveal: 'click' };

export const useSettingsStore = defineStore('settings', () => {
  const app = useAppStore();
  const settings = computed<Settings>(() => app.state?.settings ?? DEFAULT_SETTINGS);

  async function update(change: Partial<Settings>): Promise<Settings> {
    const next = await useWardline().call('settings.update', change);
    if (app.state) app.apply({ ...app.state, settings: next });
    return next;
  }

  return { settings, update };
});
