import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronProxyConfig, loadLaunchConfig } from './launch-options';

const dir = mkdtempSync(join(tmpdir(), 'wardline-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadLaunchConfig', () => {
  it('reads kiosk, relay and workstation name from argv before the environment', () => {
    const result = loadLaunchConfig({
      argv: ['electron', '.', '--kiosk', '--relay=wss://relay.example.org/', '--workstation-name=Ward 4'],
      env: { WARDLINE_RELAY_URL: 'wss://other.example/', WARDLINE_MANAGED_CONFIG: join(dir, 'absent.json') },
      platform: 'linux',
      packaged: false,
    });
    expect(result.ok && result.config).toMatchObject({ kiosk: true, relayUrl: 'wss://relay.example.org/', workstationName: 'Ward 4' });
  });

  it('refuses a relay over plain ws:// beyond loopback, junk, and no relay at all, as results', () => {
    const env = { WARDLINE_MANAGED_CONFIG: join(dir, 'absent.json') };
    const codeFor = (argv: string[]) => {
      const r = loadLaunchConfig({ argv, env, platform: 'linux', packaged: false });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(codeFor(['--relay=ws://relay.example.org'])).toBe('CONFIG_INSECURE_RELAY');
    expect(codeFor(['--relay=ws://127.0.0.1.evil.example'])).toBe('CONFIG_INSECURE_RELAY');
    expect(codeFor(['--relay=javascript:alert(1)'])).toBe('CONFIG_INSECURE_RELAY');
    expect(codeFor(['--relay=wss://relay.example.org', '--workstation-name='])).toBe('CONFIG_INVALID');
    expect(codeFor([])).toBe('CONFIG_NO_RELAY');
  });

  it('lets only an unpackaged build point at another managed file', () => {
    const file = join(dir, 'managed.json');
    writeFileSync(file, JSON.stringify({ relayUrl: 'wss://managed.example/' }));
    const dev = loadLaunchConfig({ argv: ['--relay=wss://flag.example/'], env: { WARDLINE_MANAGED_CONFIG: file }, platform: 'linux', packaged: false });
    expect(dev.ok && dev.config.relayUrl).toBe('wss://managed.example/');
    const shipped = loadLaunchConfig({ argv: ['--relay=wss://flag.example/'], env: { WARDLINE_MANAGED_CONFIG: file }, platform: 'linux', packaged: true });
    expect(shipped.managedPath).toBe('/etc/wardline/config.json');
  });
});

describe('electronProxyConfig', () => {
  it('maps the configured proxy to Electron proxy settings', () => {
    expect(electronProxyConfig('system')).toEqual({ mode: 'system' });
    expect(electronProxyConfig('direct')).toEqual({ mode: 'direct' });
    expect(electronProxyConfig('http://proxy:3128')).toEqual({ mode: 'fixed_servers', proxyRules: 'http://proxy:3128' });
  });
});
