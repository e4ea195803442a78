import { describe, expect, it } from 'vitest';
import { clampPage, PDF_DEFAULT_ZOOM_INDEX, PDF_MAX_CANVAS_PIXELS, PDF_ZOOM_STEPS, pdfFailure, renderScale, zoomIndex } from './pdf-view-state';

describe('PDF viewer state', () => {
  it('keeps the page inside the document', () => {
    expect(clampPage(0, 3)).toBe(1);
    expect(clampPage(4, 3)).toBe(3);
    expect(clampPage(2.7, 3)).toBe(2);
    expect(clampPage(5, 0)).toBe(1);
  });

  it('zooms along the ladder and stops at its ends', () => {
    expect(PDF_ZOOM_STEPS[PDF_DEFAULT_ZOOM_INDEX]).toBe(1);
    expect(zoomIndex(0, -1)).toBe(0);
    expect(zoomIndex(PDF_ZOOM_STEPS.length - 1, 1)).toBe(PDF_ZOOM_STEPS.length - 1);
    expect(zoomIndex(2, 1)).toBe(3);
  });

  it('renders at the zoom times the pixel ratio, capped for huge pages', () => {
    expect(renderScale(1.5, 2, 595, 842)).toBe(3);
    expect(renderScale(1, 0.5, 595, 842)).toBe(1);
    // An A0 poster (2384 × 3370 pt) at 300 % on a 2× screen would be ~289 M pixels.
    const scale = renderScale(3, 2, 2384, 3370);
    expect(scale).toBeLessThan(6);
    expect(Math.round(2384 * scale) * Math.round(3370 * scale)).toBeLessThanOrEqual(PDF_MAX_CANVAS_PIXELS * 1.001);
  });

  it('tells a password-protected PDF from a damaged one', () => {
    expect(pdfFailure(Object.assign(new Error('No password given'), { name: 'PasswordException' }))).toBe('encrypted');
    expect(pdfFailure(Object.assign(new Error('Invalid PDF structure.'), { name: 'InvalidPDFException' }))).toBe('damaged');
    expect(pdfFailure(new Error('boom'))).toBe('damaged');
    expect(pdfFailure('not an error')).toBe('damaged');
    expect(pdfFailure(null)).toBe('damaged');
  });
});
