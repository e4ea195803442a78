/**
 * The managed configuration: one JSON file an IT department deploys system-wide, read-only for
 * users. Parsed strictly (unknown keys are refused: a typo must not silently fall back to a
 * default) and never trusted: every value is checked here before anything uses it.
 *
 *   Linux   /etc/wardline/config.json
 *   Windows %ProgramData%\Wardline\config.json
 *   macOS   /Library/Application Support/Wardline/config.json
 *
 * docs/deployment.md lists every key and which ones a user can still set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/api';
import {
  KIOSK_IDLE_LOGOUT_MAX_MS,
  KIOSK_IDLE_LOGOUT_MIN_MS,
  PRIVACY_SCREEN_IDLE_MS,
  PRIVACY_SCREEN_MIN_IDLE_MS,
  SECOND_MS,
} from '../../../shared/limits';
import { ConfigError } from './config-error';

/** Far above any real file: a huge file is a mistake or an attack, not a configuration. */
const MAX_CONFIG_BYTES = 64 * 1024;

export const PROXY_MODES = ['system', 'direct'] as const;

const zSeconds = (minMs: number, maxMs: number) => z.number().int().min(minMs / SECOND_MS).max(maxMs / SECOND_MS);

export const zManagedConfig = z
  .object({
    /** wss:// relay of the hospital (ws:// only on loopback, for tests). */
    relayUrl: z.string().min(1).max(2048),
    /** Shown on the phone during pairing. */
    workstationName: z.string().trim().min(1).max(64),
    kiosk: z.boolean(),
    /** Kiosk only: idle time before the automatic log-out (which wipes). */
    kioskIdleLogoutSeconds: zSeconds(KIOSK_IDLE_LOGOUT_MIN_MS, KIOSK_IDLE_LOGOUT_MAX_MS),
    /** Idle time before the privacy screen; may be shorter than the product's 60 s, never longer. */
    privacyScreenSeconds: zSeconds(PRIVACY_SCREEN_MIN_IDLE_MS, PRIVACY_SCREEN_IDLE_MS),
    allowedLanguages: z.array(z.enum(LANGUAGES)).min(1).max(LANGUAGES.length),
    /** "system" (the OS setting), "direct", or a proxy URL (http://, https://, socks5://). */
    proxy: z.string().min(1).max(2048),
    /** The verification authority's Ed25519 public key (64 hex digits): the trust anchor for badges. */
    verificationAuthorityKey: z.string().regex(/^[0-9a-fA-F]{64}$/),
  })
  .partial()
  .strict();
export type ManagedConfig = z.infer<typeof zManagedConfig>;
export type ManagedKey = keyof ManagedConfig;

export type Platform = 'linux' | 'win32' | 'darwin' | (string & {});

/** Where the system-wide file lives on this platform. */
export function managedConfigPath(platform: Platform, env: Readonly<Record<string, string | undefined>>): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Wardline', 'config.json');
    case 'darwin':
      return '/Library/Application Support/Wardline/config.json';
    default:
      return '/etc/wardline/config.json';
  }
}

/** The file's configuration, or null when there is none (no file is a valid, unmanaged install). */
export function readManagedConfig(file: string): ManagedConfig | null {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError('CONFIG_UNREADABLE', `managed configuration ${file} cannot be read`, { cause: err });
  }
  if (raw.byteLength > MAX_CONFIG_BYTES) throw new ConfigError('CONFIG_INVALID', `managed configuration ${file} is too large`);
  return parseManagedConfig(raw.toString('utf8'), file);
}

export function parseManagedConfig(text: string, where = 'managed configuration'): ManagedConfig {
  let json: unknown;
  try {
    // Notepad saves UTF-8 with a byte order mark; JSON.parse refuses it.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError('CONFIG_NOT_JSON', `${where} is not JSON`, { cause: err });
  }
  const parsed = zManagedConfig.safeParse(json);
  if (!parsed.success) {
    const unknown = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknown) throw new ConfigError('CONFIG_UNKNOWN_KEY', `${where}: unknown key ${unknown.keys.join(', ')}`);
    const first = parsed.error.issues[0];
    throw new ConfigError('CONFIG_INVALID', `${where}: ${first?.path.join('.') || 'top level'}: ${first?.code ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (config.relayUrl !== undefined) checkRelayUrl(config.relayUrl, 'relayUrl');
  if (config.proxy !== undefined) checkProxy(config.proxy);
  return config;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Throws CONFIG_INSECURE_RELAY unless `url` is wss://, or ws:// on loopback; CONFIG_INVALID when it is no URL. */
export function checkRelayUrl(url: string, key: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('CONFIG_INVALID', `${key} is not a URL`);
  }
  if (parsed.username !== '' || parsed.password !== '') throw new ConfigError('CONFIG_INSECURE_RELAY', `${key} must not carry credentials`);
  if (parsed.protocol === 'wss:') return url;
  if (parsed.protocol === 'ws:' && LOOPBACK_HOSTS.has(parsed.hostname)) return url;
  throw new ConfigError('CONFIG_INSECURE_RELAY', `${key} must be wss:// (ws:// only on loopback)`);
}

function checkProxy(proxy: string): void {
  if ((PROXY_MODES as readonly string[]).includes(proxy)) return;
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    throw new ConfigError('CONFIG_INVALID', 'proxy is neither "system", "direct" nor a URL');
  }
  if (!['http:', 'https:', 'socks5:'].includes(parsed.protocol)) throw new ConfigError('CONFIG_INVALID', 'proxy must be http://, https:// or socks5://');
}
