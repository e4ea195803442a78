import { describe, expect, it } from 'vitest';
import { pixelateRegion, rectFromPoints, type Pixels } from './pixelate';

function noise(width: number, height: number): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : seed >>> 24;
  }
  return { data, width, height };
}

function region(p: Pixels, x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out.push(...p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));
  return out;
}

describe('pixelate (the editor blur)', () => {
  it('destroys the pixels inside the region and leaves everything outside unchanged', () => {
    const image = noise(64, 48);
    const before = new Uint8ClampedArray(image.data);
    const rect = { x: 10, y: 8, width: 33, height: 20 };
    pixelateRegion(image, rect, 8);
    const original: Pixels = { data: before, width: 64, height: 48 };
    // Inside: most pixels changed, and every block is one flat colour (nothing left to undo).
    const inside = region(image, rect.x, rect.y, rect.width, rect.height);
    const was = region(original, rect.x, rect.y, rect.width, rect.height);
    // Colour channels only: alpha is 255 everywhere in this picture.
    const colour = (_: number, i: number) => i % 4 !== 3;
    const changed = inside.filter((v, i) => colour(v, i) && v !== was[i]).length;
    expect(changed / inside.filter(colour).length).toBeGreaterThan(0.9);
    const block = region(image, 10, 8, 8, 8);
    for (let i = 0; i < block.length; i += 4) expect(block.slice(i, i + 4)).toEqual(block.slice(0, 4));
    // Outside: byte for byte as before.
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 64; x++) {
        const inRect = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
        if (!inRect) expect(region(image, x, y, 1, 1)).toEqual(region(original, x, y, 1, 1));
      }
    }
  });

  it('clips regions to the image and accepts corners in any order', () => {
    expect(rectFromPoints({ x: 50, y: 40 }, { x: -5, y: 10.5 }, 30, 30)).toEqual({ x: 0, y: 10, width: 30, height: 20 });
    const image = noise(8, 8);
    const before = new Uint8ClampedArray(image.data);
    pixelateRegion(image, { x: 6, y: 6, width: 100, height: 100 }, 4);
    expect(image.data.subarray(0, 6 * 4)).toEqual(before.subarray(0, 6 * 4));
    pixelateRegion(image, { x: 3, y: 3, width: 0, height: 0 });
  });
});
