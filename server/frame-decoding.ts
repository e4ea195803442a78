/**
 * Decoding a device's frame into either the frame or what to answer: a malformed request still
 * gets its error under its own request id when the id can be read, so the client can fail
 * exactly that call.
 */
import { decode as cborDecode } from 'cborg';
import { ProtocolError } from '../src/shared/errors';
import { decodeClientFrame, type ClientFrame } from '../src/shared/wire/frames';
import type { RelayErrorCode } from '../src/shared/wire/relay-error';
import { decodeHotFrame } from './hot-decoding';

export type DecodedFrame =
  | { readonly ok: true; readonly frame: ClientFrame }
  /** `fatal`: not a frame at all (not CBOR, not a map, wrong version): the connection is closed. */
  | { readonly ok: false; readonly code: RelayErrorCode; readonly requestId?: number; readonly fatal: boolean };

export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  const hot = decodeHotFrame(bytes);
  if (hot) return { ok: true, frame: hot };
  try {
    return { ok: true, frame: decodeClientFrame(bytes) };
  } catch (e) {
    const code: RelayErrorCode = e instanceof ProtocolError && e.code === 'UNSUPPORTED_VERSION' ? 'UNSUPPORTED_VERSION' : 'MALFORMED';
    const requestId = readRequestId(bytes);
    const base = { ok: false as const, code, fatal: code === 'UNSUPPORTED_VERSION' || !isFrameShaped(bytes) };
    return requestId === undefined ? base : { ...base, requestId };
  }
}

function readLoose(bytes: Uint8Array): unknown {
  try {
    return cborDecode(bytes, { useMaps: false });
  } catch {
    return undefined;
  }
}

function isFrameShaped(bytes: Uint8Array): boolean {
  const raw = readLoose(bytes);
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'v' in raw && 't' in raw;
}

function readRequestId(bytes: Uint8Array): number | undefined {
  const raw = readLoose(bytes);
  if (typeof raw !== 'object' || raw === null || !('r' in raw)) return undefined;
  const r = (raw).r;
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= 0xffff_ffff ? r : undefined;
}
