/** Short-lived banners for failed actions: a translated error code, never content. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { errorCodeOf, type UiErrorCode } from '../api';

export interface Notice {
  id: number;
  code: UiErrorCode;
}

/** Most banners on screen at once; older ones make room. */
const MAX_NOTICES = 3;

export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function report(error: unknown): UiErrorCode {
    const code = errorCodeOf(error);
    if (!notices.value.some((n) => n.code === code)) {
      notices.value = [...notices.value, { id: nextId++, code }].slice(-MAX_NOTICES);
    }
    return code;
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function clear(): void {
    notices.value = [];
  }

  return { notices, report, dismiss, clear };
});
