/**
 * The desktop app's launch options, parsed (not trusted) from argv and the environment:
 * `--kiosk`, `--relay=wss://…` (or WARDLINE_RELAY_URL), `--workstation-name=…`
 * (or WARDLINE_WORKSTATION_NAME). The managed configuration file is a later issue.
 */
import { z } from 'zod';

const zRelayUrl = z
  .url()
  .refine((u) => /^wss:\/\//.test(u) || /^ws:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u), {
    message: 'relay must be wss://, or ws:// on loopback',
  });

const zLaunchOptions = z.object({
  kiosk: z.boolean(),
  relayUrl: zRelayUrl,
  workstationName: z.string().trim().min(1).max(64).optional(),
});
export type LaunchOptions = z.infer<typeof zLaunchOptions>;

/** Until the managed configuration exists, a build without `--relay` talks to this relay. */
export const DEFAULT_RELAY_URL = 'wss://relay.wardline.invalid';

function flagValue(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  const hit = argv.find((a) => a.startsWith(prefix));
  return hit?.slice(prefix.length);
}

export function parseLaunchOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LaunchOptions {
  return zLaunchOptions.parse({
    kiosk: argv.includes('--kiosk'),
    relayUrl: flagValue(argv, 'relay') ?? env.WARDLINE_RELAY_URL ?? DEFAULT_RELAY_URL,
    workstationName: flagValue(argv, 'workstation-name') ?? env.WARDLINE_WORKSTATION_NAME,
  });
}
