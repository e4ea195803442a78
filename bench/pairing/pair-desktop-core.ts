/**
 * One pairing as the product does it: a fresh desktop core (new workstation) asks for an offer
 * through the API contract, the companion phone scans it and approves, and we stop the clock
 * when the core reports the app `ready` with its relay connected: a usable linked desktop.
 * Starting the core (before the offer) is not timed; it is app start, not pairing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppState } from '../../src/shared/api';
import { dispatchApiCall } from '../../src/main/core/api/dispatch';
import { createDesktopCore } from '../../src/main/core/desktop-core';
import { createCoreLogger } from '../../src/main/core/logging';
import type { CompanionPhone } from '../../src/phone/companion-phone';

const TIMEOUT_MS = 30_000;
const logger = createCoreLogger({ level: 'silent' });

export async function pairDesktopCore(relayUrl: string, phone: CompanionPhone): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-bench-core-'));
  const core = await createDesktopCore({ dataDir, relayUrl, workstationName: 'Bench ward desk', logger });
  try {
    let resolveReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    core.subscribe((event, payload) => {
      if (event !== 'state.changed') return;
      const state = payload as AppState;
      if (state.phase === 'ready' && state.relayConnected) resolveReady();
    });
    const t0 = performance.now();
    const offer = await dispatchApiCall(core.handlers, 'pairing.start', {});
    if (!offer.ok) throw new Error(`pairing.start: ${offer.error.code}`);
    const url = (offer.value as { url: string }).url;
    await phone.pairDesktop(url, { approve: () => true });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('desktop not ready after pairing')), TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    return performance.now() - t0;
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
