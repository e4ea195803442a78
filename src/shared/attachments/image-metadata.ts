/**
 * Removes identifying metadata (EXIF: time, GPS, camera serial; XMP; IPTC; comments; text
 * chunks) from JPEG, PNG and WebP images before they are encrypted and sent. The format is
 * sniffed from the bytes, never taken from the file name or MIME type, so a renamed photo is
 * cleaned too. The pixel data is copied untouched.
 *
 * Each format is filtered with an allow-list of the structures needed to show the image:
 *   JPEG  keep SOI, APP0 (JFIF), APP2 ICC_PROFILE, APP14 (Adobe colour transform), tables, SOF,
 *         SOS and the entropy-coded data to the end; drop every other APPn (EXIF/XMP in APP1,
 *         IPTC in APP13, ...) and COM.
 *   PNG   keep IHDR PLTE IDAT IEND tRNS gAMA cHRM sRGB iCCP sBIT pHYs bKGD; drop tEXt zTXt iTXt
 *         eXIf tIME and anything unknown.
 *   WebP  drop EXIF and XMP chunks and clear their flags in VP8X.
 * Anything else that claims to be an image cannot be cleaned and is refused (IMAGE_UNSUPPORTED);
 * the editor re-encodes such pictures to PNG first.
 */
import { copyBytes } from '../bytes';
import { WardlineError } from '../errors';

export type ImageFormat = 'jpeg' | 'png' | 'webp';
export type ImageMetadataErrorCode = 'IMAGE_MALFORMED' | 'IMAGE_UNSUPPORTED';
export class ImageMetadataError extends WardlineError<ImageMetadataErrorCode> {}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'bKGD']);

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  return undefined;
}

/** True for MIME types we treat as pictures (and therefore must clean or refuse). */
export function isImageMimeType(mimeType: string): boolean {
  return mimeType.startsWith('image/');
}

/**
 * Returns the image without metadata. Non-image bytes with a non-image MIME type come back
 * unchanged (PDFs and other files are sent as they are); image bytes are always cleaned,
 * whatever the MIME type says.
 */
export function stripImageMetadata(bytes: Uint8Array, mimeType: string): Uint8Array {
  const format = sniffImageFormat(bytes);
  switch (format) {
    case 'jpeg':
      return stripJpeg(bytes);
    case 'png':
      return stripPng(bytes);
    case 'webp':
      return stripWebp(bytes);
    case undefined:
      if (isImageMimeType(mimeType)) throw new ImageMetadataError('IMAGE_UNSUPPORTED', 'image format cannot be cleaned');
      return bytes;
  }
}

function malformed(what: string): never {
  throw new ImageMetadataError('IMAGE_MALFORMED', what);
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function keepJpegSegment(marker: number, bytes: Uint8Array, start: number, length: number): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // not APPn: tables, frame headers
  const id = ascii(bytes, start + 4, Math.min(12, length - 2));
  if (marker === 0xe0) return id.startsWith('JFIF\0');
  if (marker === 0xe2) return id.startsWith('ICC_PROFILE\0');
  if (marker === 0xee) return id.startsWith('Adobe');
  return false;
}

function stripJpeg(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let i = 2;
  for (;;) {
    if (i + 4 > bytes.length) malformed('jpeg ends before the image data');
    if (bytes[i] !== 0xff) malformed('jpeg segment without a marker');
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9) return join([...parts, bytes.subarray(i, i + 2)]);
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) malformed('jpeg marker without a segment before SOS');
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2 || i + 2 + length > bytes.length) malformed('jpeg segment length');
    if (marker === 0xda) {
      // Start of scan: the rest is entropy-coded data (and later scans), copied as is.
      // Metadata segments after the first scan are unusual but possible; filter those too.
      return join([...parts, ...stripAfterScan(bytes, i)]);
    }
    if (keepJpegSegment(marker, bytes, i, length)) parts.push(bytes.subarray(i, i + 2 + length));
    i += 2 + length;
  }
}

/** From an SOS to EOI: copies scan data, and filters any APPn/COM segments between scans. */
function stripAfterScan(bytes: Uint8Array, start: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let copyFrom = start;
  let i = start + 2 + ((bytes[start + 2]! << 8) | bytes[start + 3]!);
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = bytes[i + 1]!;
    // Stuffed 0xFF00, restart markers and fill bytes belong to the scan data.
    if (marker === 0x00 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9) {
      parts.push(bytes.subarray(copyFrom, i + 2));
      return parts;
    }
    if (i + 4 > bytes.length) malformed('jpeg truncated between scans');
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2 || i + 2 + length > bytes.length) malformed('jpeg segment length');
    if (!keepJpegSegment(marker, bytes, i, length)) {
      parts.push(bytes.subarray(copyFrom, i));
      copyFrom = i + 2 + length;
    }
    i += 2 + length;
  }
  malformed('jpeg without end of image');
}

function stripPng(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 8;
  while (i + 12 <= bytes.length) {
    const length = view.getUint32(i);
    const type = ascii(bytes, i + 4, 4);
    const end = i + 12 + length;
    if (end > bytes.length) malformed('png chunk length');
    if (PNG_KEEP.has(type)) parts.push(bytes.subarray(i, end));
    i = end;
    if (type === 'IEND') return join(parts);
  }
  malformed('png without IEND');
}

function stripWebp(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > bytes.length || riffEnd < 12) malformed('webp size');
  const parts: Uint8Array[] = [];
  let i = 12;
  while (i + 8 <= riffEnd) {
    const type = ascii(bytes, i, 4);
    const length = view.getUint32(i + 4, true);
    const end = i + 8 + length + (length & 1);
    if (end > riffEnd) malformed('webp chunk length');
    if (type === 'VP8X') {
      // A copy, since it is edited: bytes.slice() on a Buffer (a read file) would edit the input.
      const chunk = copyBytes(bytes, i, end);
      chunk[8] = chunk[8]! & ~0x0c; // clear the EXIF (0x08) and XMP (0x04) flags
      parts.push(chunk);
    } else if (type !== 'EXIF' && type !== 'XMP ') {
      parts.push(bytes.subarray(i, end));
    }
    i = end;
  }
  const body = join(parts);
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  return join([header, body]);
}
