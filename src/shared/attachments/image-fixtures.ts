/**
 * Test support: small images carrying the metadata a phone camera writes (EXIF with GPS
 * position, capture time and camera make; XMP; IPTC; comments; PNG text and eXIf chunks). Built
 * from the format specifications, not copied from real photos. Used by unit and e2e tests.
 */
import { concatBytes, utf8ToBytes } from '../bytes';

/** A little-endian TIFF block: IFD0 (Make, DateTime, GPS pointer) and a GPS IFD at 52°31'N 13°24'E. */
export function exifWithGps(): Uint8Array {
  const t = new Uint8Array(180);
  const v = new DataView(t.buffer);
  t.set([0x49, 0x49, 0x2a, 0x00]);
  v.setUint32(4, 8, true);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    v.setUint32(at + 8, value, true);
  };
  v.setUint16(8, 3, true);
  entry(10, 0x010f, 2, 7, 50); // Make
  entry(22, 0x0132, 2, 20, 58); // DateTime
  entry(34, 0x8825, 4, 1, 78); // GPS IFD pointer
  v.setUint32(46, 0, true);
  t.set(utf8ToBytes('Camera\0'), 50);
  t.set(utf8ToBytes('2026:11:25 08:00:00\0'), 58);
  v.setUint16(78, 4, true);
  entry(80, 0x0001, 2, 2, 0x4e); // GPSLatitudeRef 'N'
  entry(92, 0x0002, 5, 3, 132); // GPSLatitude
  entry(104, 0x0003, 2, 2, 0x45); // GPSLongitudeRef 'E'
  entry(116, 0x0004, 5, 3, 156); // GPSLongitude
  v.setUint32(128, 0, true);
  [52, 1, 31, 1, 0, 1, 13, 1, 24, 1, 0, 1].forEach((n, i) => v.setUint32(132 + i * 4, n, true));
  return t;
}

function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  const head = new Uint8Array([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return concatBytes(head, payload);
}

/** Inserts EXIF (with GPS), XMP, IPTC and a comment right after SOI of a plain JPEG. */
export function jpegWithMetadata(plainJpeg: Uint8Array): Uint8Array {
  const exif = jpegSegment(0xe1, concatBytes(utf8ToBytes('Exif\0\0'), exifWithGps()));
  const xmp = jpegSegment(0xe1, utf8ToBytes('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>52,31N</exif:GPSLatitude></x:xmpmeta>'));
  const iptc = jpegSegment(0xed, utf8ToBytes('Photoshop 3.0\0' + '8BIM\u0004\u0004\0\0\0\0\0\u000fPatient Bed 12'));
  const comment = jpegSegment(0xfe, utf8ToBytes('taken on ward 7'));
  return concatBytes(plainJpeg.subarray(0, 2), exif, xmp, iptc, comment, plainJpeg.subarray(2));
}

/** Inserts tEXt, iTXt, tIME and eXIf (with GPS) chunks after IHDR of a plain PNG. */
/** PNG chunk checksum (CRC-32, ISO 3309), bitwise: fixtures only. */
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function pngWithMetadata(plainPng: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(utf8ToBytes(type), 4);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdrEnd = 8 + 12 + 13;
  return concatBytes(
    plainPng.subarray(0, ihdrEnd),
    chunk('tEXt', utf8ToBytes('Author\0Dr Example')),
    chunk('iTXt', utf8ToBytes('XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>GPS</x:xmpmeta>')),
    chunk('tIME', new Uint8Array([0x07, 0xea, 11, 25, 8, 0, 0])),
    chunk('eXIf', exifWithGps()),
    plainPng.subarray(ihdrEnd),
  );
}
