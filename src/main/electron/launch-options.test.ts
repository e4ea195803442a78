import { describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_URL, parseLaunchOptions } from './launch-options';

describe('parseLaunchOptions', () => {
  it('reads kiosk, relay and workstation name from argv before the environment', () => {
    expect(parseLaunchOptions(['electron', '.', '--kiosk', '--relay=wss://relay.example.org/', '--workstation-name=Ward 4'], { WARDLINE_RELAY_URL: 'wss://other.example/' })).toEqual({
      kiosk: true,
      relayUrl: 'wss://relay.example.org/',
      workstationName: 'Ward 4',
    });
    expect(parseLaunchOptions([], { WARDLINE_RELAY_URL: 'ws://127.0.0.1:4000' })).toEqual({ kiosk: false, relayUrl: 'ws://127.0.0.1:4000' });
    expect(parseLaunchOptions([], {}).relayUrl).toBe(DEFAULT_RELAY_URL);
  });
  it('refuses a relay over plain ws:// beyond loopback, and junk', () => {
    expect(() => parseLaunchOptions(['--relay=ws://relay.example.org'], {})).toThrow();
    expect(() => parseLaunchOptions(['--relay=ws://127.0.0.1.evil.example'], {})).toThrow();
    expect(() => parseLaunchOptions(['--relay=javascript:alert(1)'], {})).toThrow();
    expect(() => parseLaunchOptions(['--workstation-name='], {})).toThrow();
  });
});
