/**
 * The desktop app's launch configuration: the managed file, then `--kiosk`, `--relay=wss://…`
 * (or WARDLINE_RELAY_URL) and `--workstation-name=…` (or WARDLINE_WORKSTATION_NAME), resolved by
 * src/main/core/config (precedence and checks live there). A bad configuration is a result, not
 * an exception: the app then shows its error screen.
 */
import { loadWorkstationConfig, type ConfigResult } from '../core/config/workstation-config';

export interface LaunchEnvironment {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  /** app.isPackaged: a shipped app always reads the system-wide file. */
  readonly packaged: boolean;
}

/**
 * WARDLINE_MANAGED_CONFIG points an unpackaged (development) build at another file. A packaged
 * app ignores it: otherwise any user could swap the hospital's relay for their own.
 */
export function loadLaunchConfig(launch: LaunchEnvironment): ConfigResult {
  const override = launch.packaged ? undefined : launch.env.WARDLINE_MANAGED_CONFIG;
  return loadWorkstationConfig({
    argv: launch.argv,
    env: launch.env,
    platform: launch.platform,
    ...(override === undefined || override === '' ? {} : { managedConfigPath: override }),
  });
}

/** Electron's `session.setProxy` argument for the configured proxy ("system", "direct" or a URL). */
export function electronProxyConfig(proxy: string): { mode: 'system' | 'direct' | 'fixed_servers'; proxyRules?: string } {
  if (proxy === 'system' || proxy === 'direct') return { mode: proxy };
  return { mode: 'fixed_servers', proxyRules: proxy };
}
