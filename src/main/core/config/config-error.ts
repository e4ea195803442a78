/**
 * Why the workstation configuration could not be used. The code becomes the app's `errorCode`
 * in phase `error` (the renderer translates it); the message names the key or the file, never
 * a value a user typed.
 */
import { WardlineError } from '../../../shared/errors';

export const CONFIG_ERROR_CODES = [
  /** The managed file exists but cannot be read (permissions, a directory, I/O error). */
  'CONFIG_UNREADABLE',
  /** The managed file is not JSON. */
  'CONFIG_NOT_JSON',
  /** A key has the wrong type or is out of range. */
  'CONFIG_INVALID',
  /** A key the app does not know: a typo would otherwise silently fall back to a default. */
  'CONFIG_UNKNOWN_KEY',
  /** A relay URL that is not wss:// (plain ws:// is allowed on loopback only). */
  'CONFIG_INSECURE_RELAY',
  /** No relay URL in the managed file, the flags or the environment. */
  'CONFIG_NO_RELAY',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export class ConfigError extends WardlineError<ConfigErrorCode> {}
