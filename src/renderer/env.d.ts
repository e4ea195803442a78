import type { WardlineBridge } from '../shared/api';

declare global {
  interface Window {
    /** Installed by the Electron preload, or by the web bridge when running in a plain browser. */
    wardline?: WardlineBridge;
  }
}

export {};

