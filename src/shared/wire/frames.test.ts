import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors';
import { encodeCbor } from '../protocol/codec';
import { newDeviceId, newEnvelopeId } from '../protocol/ids';
import { decodeClientFrame, decodeRelayFrame, encodeClientFrame, encodeRelayFrame } from './frames';
import { relayAuthority } from './relay-auth';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return undefined;
}

describe('wire frames', () => {
  it('round-trip client and relay frames', () => {
    const send = { t: 'send' as const, r: 7, e: new Uint8Array([1, 2]) };
    expect(decodeClientFrame(encodeClientFrame(send))).toEqual({ v: 1, ...send });
    const deliver = { t: 'deliver' as const, i: newEnvelopeId(), e: new Uint8Array([3]) };
    expect(decodeRelayFrame(encodeRelayFrame(deliver))).toEqual({ v: 1, ...deliver });
    expect(decodeRelayFrame(encodeRelayFrame({ t: 'err', c: 'QUEUE_FULL' }))).toEqual({ v: 1, t: 'err', c: 'QUEUE_FULL' });
  });

  it('refuse garbage, unknown types, extra fields, wrong types and bad sizes as MALFORMED', () => {
    expect(codeOf(() => decodeClientFrame(new Uint8Array([0xff, 0x01])))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'nope', r: 1 })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'ack', i: newEnvelopeId(), extra: 1 })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'send', r: 1, e: 'text' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'send', r: -1, e: new Uint8Array(1) })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'auth', r: 1, a: newDeviceId(), d: newDeviceId(), s: new Uint8Array(63) })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 1, t: 'rv-open', r: 1, c: 'short' })))).toBe('MALFORMED');
    expect(codeOf(() => decodeClientFrame(encodeCbor([1, 'send'])))).toBe('MALFORMED');
  });

  it('refuse an unknown version as UNSUPPORTED_VERSION', () => {
    expect(codeOf(() => decodeClientFrame(encodeCbor({ v: 2, t: 'ack', i: newEnvelopeId() })))).toBe('UNSUPPORTED_VERSION');
    expect(codeOf(() => decodeRelayFrame(encodeCbor({ v: 0, t: 'ok', r: 1 })))).toBe('UNSUPPORTED_VERSION');
  });

  it('derive the relay authority a device binds into its auth signature', () => {
    expect(relayAuthority('ws://127.0.0.1:8787')).toBe('127.0.0.1:8787');
    expect(relayAuthority('wss://Relay.Example.org/')).toBe('relay.example.org');
    expect(relayAuthority('wss://relay.example.org:443/x')).toBe('relay.example.org');
    expect(relayAuthority('wss://relay.example.org:8443')).toBe('relay.example.org:8443');
    expect(relayAuthority('https://relay.example.org')).toBeUndefined();
  });
});
