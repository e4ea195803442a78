import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KIOSK_IDLE_LOGOUT_MS, PRIVACY_SCREEN_IDLE_MS } from '../../../shared/limits';
import { loadWorkstationConfig, resolveWorkstationConfig } from './workstation-config';

const dir = mkdtempSync(join(tmpdir(), 'wardline-wsconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RELAY = 'wss://relay.hospital.example/';

describe('workstation configuration precedence', () => {
  it('uses the defaults for everything but the relay', () => {
    const config = resolveWorkstationConfig(null, [], { WARDLINE_RELAY_URL: RELAY });
    expect(config).toMatchObject({
      relayUrl: RELAY,
      kiosk: false,
      privacyScreenMs: PRIVACY_SCREEN_IDLE_MS,
      kioskIdleLogoutMs: KIOSK_IDLE_LOGOUT_MS,
      allowedLanguages: ['en', 'nl', 'de', 'fr'],
      proxy: 'system',
    });
    expect(config.workstationName).toBeUndefined();
    expect(config.sources).toMatchObject({ relayUrl: 'environment', kiosk: 'default', privacyScreenMs: 'default' });
  });

  it('takes a flag over the environment', () => {
    const config = resolveWorkstationConfig(null, ['--relay=wss://flag.example/', '--workstation-name=Ward 7', '--kiosk'], {
      WARDLINE_RELAY_URL: RELAY,
      WARDLINE_WORKSTATION_NAME: 'from env',
    });
    expect(config).toMatchObject({ relayUrl: 'wss://flag.example/', workstationName: 'Ward 7', kiosk: true });
    expect(config.sources).toMatchObject({ relayUrl: 'flag', workstationName: 'flag', kiosk: 'flag' });
  });

  it('takes the managed file over flags and environment: a user cannot override what IT set', () => {
    const managed = { relayUrl: RELAY, workstationName: 'Pharmacy', kiosk: false, kioskIdleLogoutSeconds: 300, privacyScreenSeconds: 20, allowedLanguages: ['nl' as const], proxy: 'direct' };
    const config = resolveWorkstationConfig(managed, ['--relay=wss://attacker.example/', '--workstation-name=Mine', '--kiosk'], {
      WARDLINE_RELAY_URL: 'wss://env.example/',
      WARDLINE_WORKSTATION_NAME: 'Env',
    });
    expect(config).toMatchObject({
      relayUrl: RELAY,
      workstationName: 'Pharmacy',
      kiosk: false,
      kioskIdleLogoutMs: 300_000,
      privacyScreenMs: 20_000,
      allowedLanguages: ['nl'],
      proxy: 'direct',
    });
    expect(Object.values(config.sources).every((s) => s === 'managed')).toBe(true);
  });

  it('takes the verification authority key from the managed file only', () => {
    const key = 'ab'.repeat(32);
    const config = resolveWorkstationConfig({ relayUrl: RELAY, verificationAuthorityKey: key.toUpperCase() }, [], {});
    expect(Buffer.from(config.authorityKey!).toString('hex')).toBe(key);
    const unmanaged = resolveWorkstationConfig(null, [`--authority-key=${key}`], { WARDLINE_RELAY_URL: RELAY, WARDLINE_AUTHORITY_KEY: key });
    expect(unmanaged.authorityKey).toBeUndefined();
  });

  it('lets flags fill in what the managed file leaves out', () => {
    const config = resolveWorkstationConfig({ kiosk: true }, ['--relay=wss://flag.example/'], {});
    expect(config).toMatchObject({ relayUrl: 'wss://flag.example/', kiosk: true });
    expect(config.sources).toMatchObject({ relayUrl: 'flag', kiosk: 'managed' });
  });

  it('checks a relay from a flag or the environment as strictly as one from the file', () => {
    expect(() => resolveWorkstationConfig(null, ['--relay=ws://relay.example'], {})).toThrow(expect.objectContaining({ code: 'CONFIG_INSECURE_RELAY' }) as Error);
    expect(() => resolveWorkstationConfig(null, [], { WARDLINE_RELAY_URL: 'http://relay.example' })).toThrow(expect.objectContaining({ code: 'CONFIG_INSECURE_RELAY' }) as Error);
    expect(() => resolveWorkstationConfig(null, ['--relay=javascript:alert(1)'], {})).toThrow(expect.objectContaining({ code: 'CONFIG_INSECURE_RELAY' }) as Error);
    expect(() => resolveWorkstationConfig(null, [], {})).toThrow(expect.objectContaining({ code: 'CONFIG_NO_RELAY' }) as Error);
    expect(() => resolveWorkstationConfig(null, ['--workstation-name='], { WARDLINE_RELAY_URL: RELAY })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});

describe('loadWorkstationConfig', () => {
  it('returns a result instead of throwing, for every kind of bad file', () => {
    const cases: [string, string][] = [
      ['not JSON', 'CONFIG_NOT_JSON'],
      ['{"kiosk": 1}', 'CONFIG_INVALID'],
      ['{"kiosk": true, "colour": "blue"}', 'CONFIG_UNKNOWN_KEY'],
      ['{"relayUrl": "ws://relay.hospital.example"}', 'CONFIG_INSECURE_RELAY'],
    ];
    for (const [text, code] of cases) {
      const file = join(dir, `${code}.json`);
      writeFileSync(file, text);
      const result = loadWorkstationConfig({ argv: [], env: { WARDLINE_RELAY_URL: RELAY }, platform: 'linux', managedConfigPath: file });
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
    }
    const unreadable = loadWorkstationConfig({ argv: [], env: { WARDLINE_RELAY_URL: RELAY }, platform: 'linux', managedConfigPath: dir });
    expect(unreadable.ok ? 'ok' : unreadable.error.code).toBe('CONFIG_UNREADABLE');
  });

  it('reads a good file and applies it', () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify({ relayUrl: RELAY, kiosk: true }));
    const result = loadWorkstationConfig({ argv: [], env: {}, platform: 'linux', managedConfigPath: file });
    expect(result.ok && result.config).toMatchObject({ relayUrl: RELAY, kiosk: true });
    expect(result.managedPath).toBe(file);
  });
});
