/**
 * Deadlines in time order: a binary min-heap of (at, item). The relay's session sweep runs every
 * second, so finding that nothing is due must cost one comparison, not a walk over every desktop.
 * Entries are never removed early: the caller checks, when one falls due, whether it still
 * applies (a revoked desktop's entry simply finds nothing left to do).
 */

interface Entry<T> {
  readonly at: number;
  /** Insertion order: equal deadlines come out first in, first out. */
  readonly seq: number;
  readonly item: T;
}

export class SessionDeadlines<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest deadline held, or undefined when empty. */
  get next(): number | undefined {
    return this.#heap[0]?.at;
  }

  add(at: number, item: T): void {
    const heap = this.#heap;
    heap.push({ at, seq: this.#seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest item whose deadline is at or before `now`, if any. */
  popDue(now: number): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (!top || top.at > now) return undefined;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top.item;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      swap(heap, i, least);
      i = least;
    }
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(heap: Entry<T>[], i: number, j: number): void {
  const t = heap[i]!;
  heap[i] = heap[j]!;
  heap[j] = t;
}
