/** Metadata stripping, checked with an independent EXIF parser (exifr) and real decoders. */
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8ToBytes } from '../bytes';
import { exifWithGps, jpegWithMetadata, pngWithMetadata } from './image-fixtures';
import { ImageMetadataError, sniffImageFormat, stripImageMetadata } from './image-metadata';

function plainJpeg(): Uint8Array {
  const width = 16;
  const height = 16;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.writeUInt32BE(((i * 2654435761) >>> 8) | 0xff, i * 4);
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

function plainPng(): Uint8Array {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(200);
  return new Uint8Array(PNG.sync.write(png));
}

const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ImageMetadataError ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe('image metadata stripping', () => {
  it('removes EXIF (GPS, time, camera), XMP, IPTC and comments from a JPEG and keeps the pixels', async () => {
    const original = plainJpeg();
    const tagged = jpegWithMetadata(original);
    const before = (await exifr.parse(tagged, { gps: true, xmp: true, iptc: true })) as Record<string, unknown>;
    expect(before.latitude).toBeCloseTo(52.5167, 3);
    expect(before.Make).toBe('Camera');

    const clean = stripImageMetadata(tagged, 'image/jpeg');
    expect(await exifr.parse(clean, { gps: true, xmp: true, iptc: true, tiff: true })).toBeUndefined();
    expect(await exifr.gps(clean)).toBeUndefined();
    for (const trace of ['Exif', 'GPS', 'xmpmeta', 'Photoshop', 'Patient', 'ward 7', 'Camera']) expect(has(clean, trace)).toBe(false);
    expect(Buffer.from(clean).equals(Buffer.from(original))).toBe(true);
    expect(Buffer.from(jpeg.decode(clean).data).equals(Buffer.from(jpeg.decode(tagged).data))).toBe(true);
  });

  it('cleans an image whatever MIME type or name it is sent under', () => {
    const clean = stripImageMetadata(jpegWithMetadata(plainJpeg()), 'application/pdf');
    expect(has(clean, 'Exif')).toBe(false);
  });

  it('removes text, time and eXIf chunks from a PNG and keeps the pixels', async () => {
    const original = plainPng();
    const tagged = pngWithMetadata(original);
    expect(((await exifr.parse(tagged, { gps: true })) as Record<string, unknown> | undefined)?.latitude).toBeCloseTo(52.5167, 3);
    const clean = stripImageMetadata(tagged, 'image/png');
    // exifr still reports the image header (size, colour type): nothing else may be left.
    const after = (await exifr.parse(clean, { gps: true, xmp: true, tiff: true })) as Record<string, unknown>;
    expect(Object.keys(after).sort()).toEqual(['BitDepth', 'ColorType', 'Compression', 'Filter', 'ImageHeight', 'ImageWidth', 'Interlace']);
    expect(await exifr.gps(clean)).toBeUndefined();
    for (const trace of ['tEXt', 'iTXt', 'tIME', 'eXIf', 'Dr Example']) expect(has(clean, trace)).toBe(false);
    expect(Buffer.from(clean).equals(Buffer.from(original))).toBe(true);
  });

  it('removes EXIF and XMP chunks from a WebP and clears their flags', () => {
    const chunk = (type: string, data: Uint8Array) => {
      const head = new Uint8Array(8);
      head.set(utf8ToBytes(type));
      new DataView(head.buffer).setUint32(4, data.length, true);
      return concatBytes(head, data, data.length & 1 ? new Uint8Array(1) : new Uint8Array(0));
    };
    const vp8x = new Uint8Array(10);
    vp8x[0] = 0x0c;
    const body = concatBytes(
      utf8ToBytes('WEBP'),
      chunk('VP8X', vp8x),
      chunk('VP8L', new Uint8Array([0x2f, 1, 2, 3, 4])),
      chunk('EXIF', exifWithGps()),
      chunk('XMP ', utf8ToBytes('<x:xmpmeta/>')),
    );
    const riff = concatBytes(utf8ToBytes('RIFF'), new Uint8Array(4), body);
    new DataView(riff.buffer).setUint32(4, body.length, true);
    const clean = stripImageMetadata(riff, 'image/webp');
    expect(sniffImageFormat(clean)).toBe('webp');
    expect(has(clean, 'EXIF')).toBe(false);
    expect(has(clean, 'XMP')).toBe(false);
    expect(has(clean, 'VP8L')).toBe(true);
    expect(clean[20]! & 0x0c).toBe(0);
    expect(new DataView(clean.buffer, clean.byteOffset).getUint32(4, true)).toBe(clean.length - 8);
  });

  it('passes other files through, refuses images it cannot clean, and rejects malformed images', () => {
    const pdf = utf8ToBytes('%PDF-1.7\n...');
    expect(stripImageMetadata(pdf, 'application/pdf')).toBe(pdf);
    expect(code(() => stripImageMetadata(utf8ToBytes('GIF89a....'), 'image/gif'))).toBe('IMAGE_UNSUPPORTED');
    const tagged = jpegWithMetadata(plainJpeg());
    expect(code(() => stripImageMetadata(tagged.subarray(0, 40), 'image/jpeg'))).toBe('IMAGE_MALFORMED');
    expect(code(() => stripImageMetadata(tagged.subarray(0, tagged.length - 2), 'image/jpeg'))).toBe('IMAGE_MALFORMED');
    expect(code(() => stripImageMetadata(plainPng().subarray(0, 30), 'image/png'))).toBe('IMAGE_MALFORMED');
  });

  it('leaves a Buffer input untouched while clearing the WebP metadata flags in its output', () => {
    const head = (type: string, length: number) => {
      const h = new Uint8Array(8);
      h.set(utf8ToBytes(type));
      new DataView(h.buffer).setUint32(4, length, true);
      return h;
    };
    const vp8x = new Uint8Array(10);
    vp8x[0] = 0x0c;
    const body = concatBytes(utf8ToBytes('WEBP'), head('VP8X', 10), vp8x, head('VP8L', 5), new Uint8Array([0x2f, 1, 2, 3, 4, 0]));
    const riff = concatBytes(utf8ToBytes('RIFF'), new Uint8Array(4), body);
    new DataView(riff.buffer).setUint32(4, body.length, true);
    const input = Buffer.from(riff); // what fs.readFile hands over
    const clean = stripImageMetadata(input, 'image/webp');
    expect(clean[20]! & 0x0c).toBe(0);
    expect([...input]).toEqual([...riff]);
  });
});
