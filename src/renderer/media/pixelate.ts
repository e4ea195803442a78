/**
 * The editor's blur: the region's real pixels are replaced by coarse block averages in the
 * image data that gets exported, so what was under the blur cannot be recovered from the sent
 * file (an overlay or CSS filter would leave the original pixels in place).
 */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Pixels {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Block edge in pixels: large enough that faces, names and numbers are unreadable. */
export const BLUR_BLOCK = 16;

/** A rectangle from two corners in any order, clipped to the image and rounded outwards to whole pixels. */
export function rectFromPoints(a: { x: number; y: number }, b: { x: number; y: number }, width: number, height: number): Rect {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x)));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y)));
  const x1 = Math.min(width, Math.ceil(Math.max(a.x, b.x)));
  const y1 = Math.min(height, Math.ceil(Math.max(a.y, b.y)));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * Replaces every block of the region with its average colour, in place. Blocks are aligned to
 * the region, so no pixel outside it is read into or written from it.
 */
export function pixelateRegion(image: Pixels, region: Rect, block = BLUR_BLOCK): void {
  const r = rectFromPoints({ x: region.x, y: region.y }, { x: region.x + region.width, y: region.y + region.height }, image.width, image.height);
  const { data, width } = image;
  for (let by = r.y; by < r.y + r.height; by += block) {
    for (let bx = r.x; bx < r.x + r.width; bx += block) {
      const xEnd = Math.min(bx + block, r.x + r.width);
      const yEnd = Math.min(by + block, r.y + r.height);
      let red = 0;
      let green = 0;
      let blue = 0;
      let alpha = 0;
      const count = (xEnd - bx) * (yEnd - by);
      for (let y = by; y < yEnd; y++) {
        for (let x = bx; x < xEnd; x++) {
          const i = (y * width + x) * 4;
          red += data[i]!;
          green += data[i + 1]!;
          blue += data[i + 2]!;
          alpha += data[i + 3]!;
        }
      }
      const avg = [red / count, green / count, blue / count, alpha / count].map(Math.round);
      for (let y = by; y < yEnd; y++) {
        for (let x = bx; x < xEnd; x++) data.set(avg, (y * width + x) * 4);
      }
    }
  }
}
