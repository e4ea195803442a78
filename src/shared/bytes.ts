import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64urlnopad } from '@scure/base';

export { bytesToHex, concatBytes, hexToBytes, utf8ToBytes };

const decoder = new TextDecoder('utf-8', { fatal: true });
export function bytesToUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

export function fromBase64Url(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}

/** Comparison whose time does not depend on where the inputs differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Overwrite secret bytes once they are no longer needed. */
export function wipe(...arrays: Uint8Array[]): void {
  for (const a of arrays) a.fill(0);
}

/**
 * An independent copy in a fresh plain Uint8Array. `x.slice()` is not enough: on a Node Buffer
 * (what Buffer.from, fs, better-sqlite3, ws and sometimes cborg hand out) it returns a view that
 * shares memory, so wiping or reusing one side would change the other.
 */
export function copyBytes(bytes: Uint8Array, start?: number, end?: number): Uint8Array {
  // Not Uint8Array.prototype.slice.call: its species lookup still builds a Buffer for a Buffer.
  return new Uint8Array(bytes.subarray(start, end));
}
