import { describe, expect, it } from 'vitest';
import { newDeviceId, newEnvelopeId } from '../../src/shared/protocol/ids';
import { parseStreamEntry, queueKeys } from './redis-queue-entries';

/** Stream fields as XRANGE returns them: name, value, name, value... */
function fields(entry: Record<string, string | Buffer>): Buffer[] {
  return Object.entries(entry).flatMap(([k, v]) => [Buffer.from(k), Buffer.isBuffer(v) ? v : Buffer.from(v)]);
}

describe('Redis queue stream entries', () => {
  it('reads back an entry as the relay writes it, as its own copy of the bytes', () => {
    const id = newEnvelopeId();
    const bytes = Buffer.from([1, 2, 3]);
    const parsed = parseStreamEntry(fields({ e: id, x: '1700000000000', b: bytes }));
    expect(parsed).toEqual({ e: id, x: 1_700_000_000_000, b: new Uint8Array([1, 2, 3]) });
    bytes[0] = 9;
    expect(parsed?.b[0]).toBe(1);
  });

  it('refuses entries this relay did not write', () => {
    const e = newEnvelopeId();
    const b = Buffer.from([1]);
    const foreign: Record<string, string | Buffer>[] = [
      { x: '1', b },
      { e: 'not-an-id', x: '1', b },
      { e: e.toUpperCase(), x: '1', b },
      { e, b },
      { e, x: '1.5', b },
      { e, x: 'soon', b },
      { e, x: '1' },
      { e, x: '1', b: Buffer.alloc(0) },
      { e, x: '1', b: Buffer.alloc(300 * 1024 + 1) },
    ];
    for (const entry of foreign) expect(parseStreamEntry(fields(entry))).toBeUndefined();
    expect(parseStreamEntry([Buffer.from('e')])).toBeUndefined();
  });

  it('keeps every key of a device under its own id', () => {
    const d = newDeviceId();
    expect([queueKeys.stream(d), queueKeys.index(d), queueKeys.presence(d)]).toEqual([`wl:q:${d}`, `wl:qi:${d}`, `wl:at:${d}`]);
  });
});
