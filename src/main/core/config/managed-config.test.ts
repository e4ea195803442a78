import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { managedConfigPath, parseManagedConfig, readManagedConfig } from './managed-config';
import { thrownCode } from '../../../shared/testing/error-code';

const dir = mkdtempSync(join(tmpdir(), 'wardline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (fn: () => unknown) => thrownCode(fn, { only: ConfigError });

describe('managed configuration file', () => {
  it('lives in the system-wide place of each platform', () => {
    expect(managedConfigPath('linux', {})).toBe('/etc/wardline/config.json');
    expect(managedConfigPath('darwin', {})).toBe('/Library/Application Support/Wardline/config.json');
    expect(managedConfigPath('win32', { ProgramData: 'D:\\PD' })).toBe('D:\\PD\\Wardline\\config.json');
    expect(managedConfigPath('win32', {})).toBe('C:\\ProgramData\\Wardline\\config.json');
  });

  it('reads a full, valid file (with a byte order mark, as Notepad writes it)', () => {
    const file = join(dir, 'full.json');
    const config = {
      relayUrl: 'wss://relay.hospital.example/',
      workstationName: 'Pharmacy counter',
      kiosk: true,
      kioskIdleLogoutSeconds: 300,
      privacyScreenSeconds: 30,
      allowedLanguages: ['nl', 'en'],
      proxy: 'http://proxy.hospital.example:3128',
    };
    writeFileSync(file, `\uFEFF${JSON.stringify(config)}`);
    expect(readManagedConfig(file)).toEqual(config);
  });

  it('treats a missing file as an unmanaged install, an empty object as nothing managed', () => {
    expect(readManagedConfig(join(dir, 'absent.json'))).toBeNull();
    expect(parseManagedConfig('{}')).toEqual({});
  });

  it('refuses an unreadable file', () => {
    const asDirectory = join(dir, 'is-a-directory.json');
    mkdirSync(asDirectory);
    expect(codeOf(() => readManagedConfig(asDirectory))).toBe('CONFIG_UNREADABLE');
  });

  it('refuses text that is not JSON', () => {
    expect(codeOf(() => parseManagedConfig('relayUrl = wss://x'))).toBe('CONFIG_NOT_JSON');
    expect(codeOf(() => parseManagedConfig(''))).toBe('CONFIG_NOT_JSON');
    expect(codeOf(() => parseManagedConfig('{"kiosk": true,}'))).toBe('CONFIG_NOT_JSON');
  });

  it('refuses wrong types and out-of-range values', () => {
    expect(codeOf(() => parseManagedConfig('[]'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('null'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"kiosk": "yes"}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"kioskIdleLogoutSeconds": "900"}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"kioskIdleLogoutSeconds": 5}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"verificationAuthorityKey": "not-a-key"}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"kioskIdleLogoutSeconds": 90000}'))).toBe('CONFIG_INVALID');
    // The privacy screen may come sooner than 60 s, never later.
    expect(codeOf(() => parseManagedConfig('{"privacyScreenSeconds": 120}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"allowedLanguages": []}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"allowedLanguages": ["en", "xx"]}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"workstationName": "   "}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"proxy": "ftp://proxy:21"}'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseManagedConfig('{"relayUrl": "not a url"}'))).toBe('CONFIG_INVALID');
  });

  it('refuses unknown keys, so a typo never falls back to a default silently', () => {
    expect(codeOf(() => parseManagedConfig('{"kiosk": true, "kioskIdleLogoutSecs": 60}'))).toBe('CONFIG_UNKNOWN_KEY');
    expect(codeOf(() => parseManagedConfig('{"relayURL": "wss://relay.example"}'))).toBe('CONFIG_UNKNOWN_KEY');
  });

  it('refuses a relay that is not wss:// (ws:// only on loopback), or carries credentials', () => {
    expect(codeOf(() => parseManagedConfig('{"relayUrl": "ws://relay.hospital.example"}'))).toBe('CONFIG_INSECURE_RELAY');
    expect(codeOf(() => parseManagedConfig('{"relayUrl": "ws://127.0.0.1.evil.example"}'))).toBe('CONFIG_INSECURE_RELAY');
    expect(codeOf(() => parseManagedConfig('{"relayUrl": "https://relay.hospital.example"}'))).toBe('CONFIG_INSECURE_RELAY');
    expect(codeOf(() => parseManagedConfig('{"relayUrl": "wss://user:pw@relay.hospital.example"}'))).toBe('CONFIG_INSECURE_RELAY');
    expect(parseManagedConfig('{"relayUrl": "ws://127.0.0.1:4000"}').relayUrl).toBe('ws://127.0.0.1:4000');
    expect(parseManagedConfig('{"relayUrl": "ws://[::1]:4000/"}').relayUrl).toBe('ws://[::1]:4000/');
  });

  it('keeps the value a user typed out of the error message', () => {
    try {
      parseManagedConfig('{"relayUrl": "ws://SECRET-HOST.example"}');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRET-HOST');
    }
  });
});
