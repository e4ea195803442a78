/**
 * Structured logs on stderr (stdout carries only the "listening" line). Log calls pass ids and
 * codes only: never envelopes, prekeys, names or anything a device sent as payload.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'wardline-relay' } }, pino.destination({ dest: 2, sync: false }));
}
