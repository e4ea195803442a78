/**
 * The workstation's effective configuration and where each value came from.
 *
 * Precedence, the same for every key: managed file > command-line flag > environment > default.
 * A key the managed file sets is final (a user cannot override it with a flag or a variable);
 * a key it leaves out may be set by `--relay=`, `--kiosk`, `--workstation-name=`,
 * WARDLINE_RELAY_URL or WARDLINE_WORKSTATION_NAME. The idle times, allowed languages and proxy
 * have no flag and no variable: only the managed file can change them. So has the verification
 * authority key: it decides which badges are shown, so nobody but IT may set it.
 */
import type { Language } from '../../../shared/api';
import { LANGUAGES } from '../../../shared/api';
import { KIOSK_IDLE_LOGOUT_MS, PRIVACY_SCREEN_IDLE_MS, SECOND_MS } from '../../../shared/limits';
import { hexToBytes } from '../../../shared/bytes';
import { ConfigError } from './config-error';
import { checkRelayUrl, managedConfigPath, readManagedConfig, type ManagedConfig, type Platform } from './managed-config';

export type ConfigSource = 'managed' | 'flag' | 'environment' | 'default';

export interface WorkstationConfig {
  readonly relayUrl: string;
  readonly kiosk: boolean;
  readonly workstationName?: string;
  readonly privacyScreenMs: number;
  readonly kioskIdleLogoutMs: number;
  readonly allowedLanguages: readonly Language[];
  /** "system", "direct" or a proxy URL. */
  readonly proxy: string;
  /** The verification authority's public key; without it no contact shows as verified. */
  readonly authorityKey?: Uint8Array;
  /** Where each effective value came from (for the log and the settings screen). */
  readonly sources: Readonly<Record<'relayUrl' | 'kiosk' | 'workstationName' | 'privacyScreenMs' | 'kioskIdleLogoutMs' | 'allowedLanguages' | 'proxy', ConfigSource>>;
}

type Env = Readonly<Record<string, string | undefined>>;

function flagValue(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function pick<T>(managed: T | undefined, flag: T | undefined, env: T | undefined, fallback: T): [T, ConfigSource] {
  if (managed !== undefined) return [managed, 'managed'];
  if (flag !== undefined) return [flag, 'flag'];
  if (env !== undefined) return [env, 'environment'];
  return [fallback, 'default'];
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s);

/** Combines an already parsed managed file (or null) with argv and the environment. Throws ConfigError. */
export function resolveWorkstationConfig(managed: ManagedConfig | null, argv: readonly string[], env: Env): WorkstationConfig {
  const m = managed ?? {};
  const flagRelay = flagValue(argv, 'relay');
  const flagName = flagValue(argv, 'workstation-name');
  if (flagName !== undefined && nonEmpty(flagName) === undefined) throw new ConfigError('CONFIG_INVALID', '--workstation-name is empty');

  const [relay, relaySource] = pick<string | undefined>(m.relayUrl, flagRelay, nonEmpty(env.WARDLINE_RELAY_URL), undefined);
  if (relay === undefined) throw new ConfigError('CONFIG_NO_RELAY', 'no relay URL: set relayUrl in the managed configuration');
  // The managed file's URL was checked when it was parsed; a flag or variable is checked here.
  checkRelayUrl(relay, relaySource === 'flag' ? '--relay' : relaySource === 'environment' ? 'WARDLINE_RELAY_URL' : 'relayUrl');

  const [kiosk, kioskSource] = pick<boolean>(m.kiosk, argv.includes('--kiosk') ? true : undefined, undefined, false);
  const [name, nameSource] = pick<string | undefined>(m.workstationName, flagName?.trim(), nonEmpty(env.WARDLINE_WORKSTATION_NAME)?.trim(), undefined);
  if (name !== undefined && name.length > 64) throw new ConfigError('CONFIG_INVALID', 'workstation name is longer than 64 characters');
  const [privacySeconds, privacySource] = pick(m.privacyScreenSeconds, undefined, undefined, PRIVACY_SCREEN_IDLE_MS / SECOND_MS);
  const [idleSeconds, idleSource] = pick(m.kioskIdleLogoutSeconds, undefined, undefined, KIOSK_IDLE_LOGOUT_MS / SECOND_MS);
  const [languages, languagesSource] = pick<readonly Language[]>(m.allowedLanguages ? [...new Set(m.allowedLanguages)] : undefined, undefined, undefined, LANGUAGES);
  const [proxy, proxySource] = pick(m.proxy, undefined, undefined, 'system');

  return {
    relayUrl: relay,
    kiosk,
    ...(name === undefined ? {} : { workstationName: name }),
    privacyScreenMs: privacySeconds * SECOND_MS,
    kioskIdleLogoutMs: idleSeconds * SECOND_MS,
    allowedLanguages: languages,
    proxy,
    ...(m.verificationAuthorityKey === undefined ? {} : { authorityKey: hexToBytes(m.verificationAuthorityKey.toLowerCase()) }),
    sources: {
      relayUrl: relaySource,
      kiosk: kioskSource,
      workstationName: nameSource,
      privacyScreenMs: privacySource,
      kioskIdleLogoutMs: idleSource,
      allowedLanguages: languagesSource,
      proxy: proxySource,
    },
  };
}

export interface LoadConfigOptions {
  readonly argv: readonly string[];
  readonly env: Env;
  readonly platform: Platform;
  /** Tests (and unpackaged development builds) point this at their own file. */
  readonly managedConfigPath?: string;
}

export type ConfigResult = { readonly ok: true; readonly config: WorkstationConfig; readonly managedPath: string } | { readonly ok: false; readonly error: ConfigError; readonly managedPath: string };

/** Never throws: a bad configuration is a result the app shows as an error screen. */
export function loadWorkstationConfig(options: LoadConfigOptions): ConfigResult {
  const managedPath = options.managedConfigPath ?? managedConfigPath(options.platform, options.env);
  try {
    const managed = readManagedConfig(managedPath);
    return { ok: true, config: resolveWorkstationConfig(managed, options.argv, options.env), managedPath };
  } catch (err) {
    const error = err instanceof ConfigError ? err : new ConfigError('CONFIG_UNREADABLE', 'configuration could not be loaded', { cause: err });
    return { ok: false, error, managedPath };
  }
}
