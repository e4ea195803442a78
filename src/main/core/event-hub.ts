/**
 * Fans core events out to the transports' sinks. A sink that throws is logged and skipped so
 * one broken window cannot stop events reaching the others (or the core itself).
 */
import type { ApiEventName, ApiEventPayload, ApiEventSink } from '../../shared/api';
import type { CoreLogger } from './logging';

export class EventHub {
  readonly #sinks = new Set<ApiEventSink>();
  readonly #log: CoreLogger;

  constructor(log: CoreLogger) {
    this.#log = log;
  }

  subscribe(sink: ApiEventSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  emit<E extends ApiEventName>(event: E, payload: ApiEventPayload<E>): void {
    for (const sink of [...this.#sinks]) {
      try {
        sink(event, payload);
      } catch (err) {
        this.#log.warn({ event, errName: err instanceof Error ? err.name : typeof err }, 'event sink failed');
      }
    }
  }
}
