/** The system clock plus an offset that only the test-clock endpoint moves. */
import type { Clock } from '../src/shared/clock';

export class AdjustableClock implements Clock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}
