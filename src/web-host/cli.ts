/**
 * `npm run web -- --relay ws://127.0.0.1:PORT --data DIR [--port 0] [--workstation-name NAME]
 *  [--renderer out/renderer] [--test-clock] [--kiosk] [--managed-config FILE] [--authority-key HEX]`
 * Starts a real desktop core and serves the built renderer to a browser on 127.0.0.1; prints
 * `Wardline web host: http://127.0.0.1:PORT/?token=…`. `--test-clock` (tests only) runs the core
 * on a FakeClock (and its time-rule timers on ManualTimers) moved through the token-protected
 * test clock endpoint; network timers stay real. `--managed-config` applies a managed
 * configuration file (its relayUrl, if any, wins over --relay, as in the app); a bad one serves
 * the error screen.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { createConfigErrorCore } from '../main/core/config/config-error-core';
import { loadWorkstationConfig } from '../main/core/config/workstation-config';
import { relayAgentSource } from '../main/core/config/relay-proxy';
import { createDesktopCore, type DesktopCore } from '../main/core/desktop-core';
import { createCoreLogger } from '../main/core/logging';
import { ManualTimers } from '../main/core/scheduling/manual-timers';
import { hexToBytes } from '../shared/bytes';
import { FakeClock } from '../shared/clock';
import { startWebHost } from './web-host';

const zCliOptions = z.object({
  relay: z.string().regex(/^wss?:\/\/\S+$/, 'relay must be a ws:// or wss:// URL'),
  data: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535).default(0),
  'workstation-name': z.string().min(1).max(64).optional(),
  renderer: z.string().default('out/renderer'),
  'test-clock': z.boolean().default(false),
  kiosk: z.boolean().default(false),
  'managed-config': z.string().min(1).optional(),
  /** The verification authority's public key (64 hex), as the relay's --authority-key. */
  'authority-key': z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      relay: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      'workstation-name': { type: 'string' },
      renderer: { type: 'string' },
      'test-clock': { type: 'boolean' },
      kiosk: { type: 'boolean' },
      'managed-config': { type: 'string' },
      'authority-key': { type: 'string' },
    },
    strict: true,
  });
  const options = zCliOptions.parse(values);
  const rendererDir = path.resolve(options.renderer);
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error(`no built renderer in ${rendererDir}: run npm run build first`);
  // stdout carries only the URL line; logs (content-free) go to stderr.
  const log = createCoreLogger({ destination: pino.destination(2) });
  const clock = options['test-clock'] ? new FakeClock(Date.now()) : undefined;
  const timers = clock === undefined ? undefined : new ManualTimers(clock);

  const config = loadWorkstationConfig({
    argv: [`--relay=${options.relay}`, ...(options.kiosk ? ['--kiosk'] : []), ...(options['workstation-name'] === undefined ? [] : [`--workstation-name=${options['workstation-name']}`])],
    env: {},
    platform: process.platform,
    // Without --managed-config the web host reads no system file: it is a test and demo tool.
    managedConfigPath: options['managed-config'] === undefined ? path.join(path.resolve(options.data), 'no-managed-config.json') : path.resolve(options['managed-config']),
  });
  let core: DesktopCore;
  if (config.ok) {
    const c = config.config;
    core = await createDesktopCore({
      dataDir: path.resolve(options.data),
      relayUrl: c.relayUrl,
      kiosk: c.kiosk,
      kioskIdleLogoutMs: c.kioskIdleLogoutMs,
      privacyScreenMs: c.privacyScreenMs,
      allowedLanguages: c.allowedLanguages,
      logger: log,
      ...(options['authority-key'] === undefined ? {} : { authorityKey: hexToBytes(options['authority-key']) }),
      ...(clock === undefined || timers === undefined ? {} : { clock, timers }),
      ...(c.workstationName === undefined ? {} : { workstationName: c.workstationName }),
      // "system" here means HTTPS_PROXY / HTTP_PROXY / NO_PROXY (no Electron resolver).
      relayAgent: relayAgentSource(c.proxy),
    });
  } else {
    log.error({ code: config.error.code }, 'workstation configuration refused');
    core = createConfigErrorCore(config.error.code, { kiosk: options.kiosk });
  }
  const host = await startWebHost({
    core,
    rendererDir,
    port: options.port,
    log,
    ...(clock === undefined || timers === undefined ? {} : { testClock: { clock, afterMove: () => void timers.runDue() } }),
  });
  process.stdout.write(`Wardline web host: ${host.url}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    host
      .close()
      .then(() => core.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`web host failed to start: ${err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : err instanceof Error ? err.message : 'unknown error'}\n`);
  process.exit(1);
});
