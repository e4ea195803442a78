import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createWardlineClient, installWardlineClient } from './api';
import { installWebBridgeIfNeeded } from './bridge/web-bridge';
import { fatalError, routeError } from './fatal-error';
import { createWardlineI18n } from './i18n';
import { useAppStore } from './stores/app';
import { useNoticesStore } from './stores/notices';
import './styles/base.css';

// In Electron the preload has installed window.wardline already; in a browser (tests, demos) the
// web host's bridge is installed here. Without either, every call fails with BRIDGE_UNAVAILABLE
// and the error view explains it: never a blank page.
installWebBridgeIfNeeded();
installWardlineClient(createWardlineClient(window.wardline));

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(createWardlineI18n());

const notices = useNoticesStore(pinia);
function handle(error: unknown): void {
  const route = routeError(error);
  if (route.kind === 'notice') notices.report(route.error);
  else fatalError.value = route.code;
}
app.config.errorHandler = handle;
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  // A failed call nobody awaited is a notice; a bug in our own code is not worth a blank screen either.
  const route = routeError(event.reason);
  if (route.kind === 'notice') notices.report(route.error);
  else notices.report(event.reason);
});

app.mount('#app');
void useAppStore(pinia).start();
