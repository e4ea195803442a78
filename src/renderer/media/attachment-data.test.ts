import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './attachment-data';

describe('attachment data', () => {
  it('round-trips bytes through base64 the way Node reads them', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 37) & 0xff);
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(text)).toEqual(bytes);
  });

});
