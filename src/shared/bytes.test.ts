import { describe, expect, it } from 'vitest';
import { copyBytes, wipe } from './bytes';

describe('copyBytes', () => {
  it('copies a plain Uint8Array (whole and a range)', () => {
    const source = new Uint8Array([1, 2, 3, 4, 5]);
    const all = copyBytes(source);
    const part = copyBytes(source, 1, 3);
    wipe(source);
    expect(all).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(part).toEqual(new Uint8Array([2, 3]));
  });

  it('copies a Node Buffer (whose own .slice is a view) into a plain Uint8Array', () => {
    // Buffer.from(array) lands in the shared pool: a non-zero byteOffset on a larger ArrayBuffer.
    const source = Buffer.from([9, 8, 7, 6, 5]);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the trap this helper exists for
    expect(source.slice(1, 3).buffer).toBe(source.buffer);
    const part = copyBytes(source, 1, 3);
    const tail = copyBytes(source, -2);
    expect(Buffer.isBuffer(part)).toBe(false);
    expect(part.constructor).toBe(Uint8Array);
    expect(part.buffer).not.toBe(source.buffer);
    expect(part.byteOffset).toBe(0);
    expect(part.buffer.byteLength).toBe(2);
    wipe(source);
    expect(part).toEqual(new Uint8Array([8, 7]));
    expect(tail).toEqual(new Uint8Array([6, 5]));
    // And the other way round: wiping the copy leaves the source alone.
    const again = Buffer.from([1, 2, 3]);
    wipe(copyBytes(again));
    expect([...again]).toEqual([1, 2, 3]);
  });

  it('copies a subarray view without the bytes around it', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const copy = copyBytes(backing.subarray(2, 5), 1);
    expect(copy).toEqual(new Uint8Array([4, 5]));
    expect(copy.buffer.byteLength).toBe(2);
  });

  it('returns an empty array for an empty range', () => {
    expect(copyBytes(Buffer.from([1, 2]), 2)).toEqual(new Uint8Array(0));
  });
});
