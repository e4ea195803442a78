/**
 * The anonymisation editor's model: a base picture plus a list of edits, re-applied from the
 * start on every change (which is what makes undo and "undo all" exact). Rendering writes into
 * the canvas's own pixels: the exported file contains the blurred pixels, not the originals.
 */
import { pixelateRegion, type Rect } from './pixelate';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export type ImageEdit = { readonly kind: 'blur'; readonly rect: Rect } | { readonly kind: 'arrow'; readonly from: Point; readonly to: Point };

/** Pure red, so the receiver (and the test) can find the arrow by colour. */
export const ARROW_COLOUR = '#ff0000';

export function renderEdits(ctx: CanvasRenderingContext2D, base: CanvasImageSource, width: number, height: number, edits: readonly ImageEdit[]): void {
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(base, 0, 0, width, height);
  for (const edit of edits) {
    if (edit.kind === 'blur') blur(ctx, edit.rect);
    else arrow(ctx, edit.from, edit.to, Math.max(4, Math.round(Math.min(width, height) / 120)));
  }
}

function blur(ctx: CanvasRenderingContext2D, rect: Rect): void {
  if (rect.width < 1 || rect.height < 1) return;
  const pixels = ctx.getImageData(rect.x, rect.y, rect.width, rect.height);
  pixelateRegion({ data: pixels.data, width: rect.width, height: rect.height }, { x: 0, y: 0, width: rect.width, height: rect.height });
  ctx.putImageData(pixels, rect.x, rect.y);
}

function arrow(ctx: CanvasRenderingContext2D, from: Point, to: Point, lineWidth: number): void {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const head = lineWidth * 4;
  ctx.save();
  ctx.strokeStyle = ARROW_COLOUR;
  ctx.fillStyle = ARROW_COLOUR;
  ctx.lineWidth = lineWidth;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x - Math.cos(angle) * head * 0.8, to.y - Math.sin(angle) * head * 0.8);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(to.x - head * Math.cos(angle - Math.PI / 7), to.y - head * Math.sin(angle - Math.PI / 7));
  ctx.lineTo(to.x - head * Math.cos(angle + Math.PI / 7), to.y - head * Math.sin(angle + Math.PI / 7));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

export interface EditedImage {
  readonly bytes: Uint8Array;
  readonly mimeType: 'image/png' | 'image/jpeg';
  readonly extension: 'png' | 'jpg';
}

/** Above this many pixels a lossless export would be tens of megabytes: camera photos go out as JPEG. */
export const PNG_MAX_PIXELS = 2_000_000;
const JPEG_QUALITY = 0.92;

/**
 * Exports what the canvas shows now, a fresh encoding without any metadata: PNG (lossless, the
 * blur and arrow exactly as drawn) for ordinary sizes, high-quality JPEG for large photos.
 */
export function exportImage(canvas: HTMLCanvasElement): Promise<EditedImage> {
  const png = canvas.width * canvas.height <= PNG_MAX_PIXELS;
  const mimeType = png ? 'image/png' : 'image/jpeg';
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => {
        if (!blob) return reject(new Error('export failed'));
        blob.arrayBuffer().then((b) => resolve({ bytes: new Uint8Array(b), mimeType, extension: png ? 'png' : 'jpg' }), reject);
      },
      mimeType,
      JPEG_QUALITY,
    );
  });
}
