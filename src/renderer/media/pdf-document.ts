/**
 * PDF rendering inside the renderer with PDF.js, from bytes the core returned (`attachments.get`):
 * never a temp file, a `blob:` navigation or the OS viewer. Only pages drawn onto a canvas: no
 * text, annotation, form or XFA layer is built, so links, form fields and document JavaScript
 * have nothing to run in (the scripting sandbox is never loaded).
 *
 * The legacy build is used because it carries polyfills for the newest JavaScript built-ins the
 * modern build expects, which the Chromium of our Electron version lacks. The library is loaded
 * on first use (its own chunk); the worker is a file of our own build, served from our origin
 * (CSP `worker-src 'self'`).
 */
import type { DocumentInitParameters, PDFDocumentProxy, RenderTask } from 'pdfjs-dist/types/src/display/api';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';
import { renderScale } from './pdf-view-state';

export interface PdfPageSize {
  /** CSS pixels at zoom 1. */
  readonly width: number;
  readonly height: number;
}

export interface PdfDocument {
  readonly pageCount: number;
  /** Draws page `page` (1-based) at `zoom` onto `canvas`; a newer call cancels an unfinished one. */
  render(page: number, canvas: HTMLCanvasElement, zoom: number): Promise<PdfPageSize>;
  close(): Promise<void>;
}

/**
 * Hardened load options. PDF.js 5+ has no eval-based font path any more (the CVE-2024-4367
 * class); `isEvalSupported: false` still pins it off should an older PDF.js ever be installed,
 * and the CSP has no 'unsafe-eval' either way. No WebAssembly (the CSP has no
 * 'wasm-unsafe-eval'), no fetches from the worker, no XFA, no worker-side renderer.
 */
export const PDF_LOAD_OPTIONS = {
  isEvalSupported: false,
  enableXfa: false,
  useWasm: false,
  useWorkerFetch: false,
  disableRange: true,
  disableStream: true,
  disableAutoFetch: true,
  disableWorkerRendering: true,
  verbosity: 0,
} as const;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loading: Promise<PdfJs> | undefined;

function pdfjs(): Promise<PdfJs> {
  loading ??= import('pdfjs-dist/legacy/build/pdf.mjs').then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = workerUrl;
    return lib;
  });
  return loading;
}

/** Rejects with PDF.js's named exception (see pdfFailure) for a damaged or password-protected file. */
export async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  const lib = await pdfjs();
  const params: DocumentInitParameters & typeof PDF_LOAD_OPTIONS = { ...PDF_LOAD_OPTIONS, data: bytes };
  const task = lib.getDocument(params);
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy();
    throw error;
  }
  let current: RenderTask | null = null;
  return {
    pageCount: doc.numPages,
    async render(pageNumber, canvas, zoom) {
      current?.cancel();
      const page = await doc.getPage(pageNumber);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: renderScale(zoom, window.devicePixelRatio, base.width, base.height) });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${Math.floor(base.width * zoom)}px`;
      canvas.style.height = `${Math.floor(base.height * zoom)}px`;
      const task = page.render({ canvas, viewport, annotationMode: lib.AnnotationMode.ENABLE });
      current = task;
      try {
        await task.promise;
      } finally {
        if (current === task) current = null;
      }
      return { width: base.width, height: base.height };
    },
    async close() {
      current?.cancel();
      // Destroying the loading task ends the document and its worker.
      await task.destroy();
    },
  };
}
