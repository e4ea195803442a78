/**
 * The core's structured logger: ids, codes and counts only. Callers never pass content, but as
 * a second line of defence every field name that could carry content or secrets is censored.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type CoreLogger = Logger;

/** Field names that must never reach a log line with their value. */
export const CENSORED_LOG_FIELDS = [
  'body',
  'text',
  'plaintext',
  'preview',
  'snippet',
  'query',
  'pin',
  'currentPin',
  'key',
  'secret',
  'databaseKey',
  'displayName',
  'name',
  'workstationName',
  'url',
  'confirmationCode',
] as const;

export interface CoreLoggerOptions {
  readonly level?: pino.LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a stream to inspect them. */
  readonly destination?: DestinationStream;
}

export function createCoreLogger(options: CoreLoggerOptions = {}): CoreLogger {
  const paths = CENSORED_LOG_FIELDS.flatMap((f) => [f, `*.${f}`]);
  return pino(
    {
      level: options.level ?? 'info',
      base: { svc: 'wardline-core' },
      redact: { paths, censor: '[censored]' },
    },
    options.destination ?? pino.destination(1),
  );
}
