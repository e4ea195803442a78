import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The current time, refreshed every `intervalMs` while the component is mounted (Date.now so test clocks apply). */
export function useNow(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now());
  let handle: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    now.value = Date.now();
    handle = setInterval(() => {
      now.value = Date.now();
    }, intervalMs);
  });
  onBeforeUnmount(() => {
    clearInterval(handle);
  });
  return now;
}
