/** Real time plus an offset the test moves: offers stay valid for the phone's real clock. */
export class OffsetClock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}
