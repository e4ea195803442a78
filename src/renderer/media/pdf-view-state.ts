/**
 * Page and zoom rules of the in-app PDF viewer, kept apart from PDF.js so they can be tested in
 * Node. Zoom is a fixed ladder (predictable for keyboard and buttons); the canvas size is capped
 * so a huge page at a high zoom cannot exhaust the renderer's memory.
 */

/** Zoom factors relative to the page's own size at 72 dpi × CSS pixels. */
export const PDF_ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;
export const PDF_DEFAULT_ZOOM_INDEX = 2;
/** Most device pixels one rendered page may have (about 64 MB of RGBA). */
export const PDF_MAX_CANVAS_PIXELS = 16 * 1024 * 1024;

export type PdfFailure = 'encrypted' | 'damaged';

export function clampPage(page: number, pageCount: number): number {
  if (pageCount < 1) return 1;
  return Math.min(Math.max(1, Math.trunc(page)), pageCount);
}

export function zoomIndex(current: number, step: -1 | 1): number {
  return Math.min(Math.max(0, current + step), PDF_ZOOM_STEPS.length - 1);
}

/**
 * The device-pixel scale to render a page at: the zoom times the screen's pixel ratio, lowered
 * when the canvas would exceed PDF_MAX_CANVAS_PIXELS. `width`/`height` are the page at scale 1.
 */
export function renderScale(zoom: number, pixelRatio: number, width: number, height: number): number {
  const wanted = zoom * Math.max(1, pixelRatio);
  const area = width * height * wanted * wanted;
  if (!(area > PDF_MAX_CANVAS_PIXELS)) return wanted;
  return wanted * Math.sqrt(PDF_MAX_CANVAS_PIXELS / area);
}

/**
 * What a PDF.js load failure means for the user. PDF.js rejects with named exceptions; a
 * password-protected file (PasswordException) is "encrypted", everything else (InvalidPDFException,
 * FormatError, unknown) is "damaged". Names, not classes, so this does not load PDF.js.
 */
export function pdfFailure(error: unknown): PdfFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  return name === 'PasswordException' ? 'encrypted' : 'damaged';
}
