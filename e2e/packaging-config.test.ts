/**
 * electron-builder.yml cannot be exercised here (packaging needs the Electron download), so its
 * promises are checked by reading it: the fuses, the targets, the native rebuild, the asar
 * layout, and every key against electron-builder's own schema so a typo cannot pass silently.
 * The deployment files in deploy/ are held to what docs/deployment.md promises.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseManagedConfig } from '../src/main/core/config/managed-config';

const config = z
  .object({
    files: z.array(z.string()),
    asar: z.boolean(),
    asarUnpack: z.array(z.string()),
    npmRebuild: z.boolean(),
    electronFuses: z.record(z.string(), z.boolean()),
    linux: z.object({ target: z.array(z.string()) }),
    win: z.object({ target: z.array(z.string()) }),
    mac: z.object({ target: z.array(z.string()) }),
    msi: z.object({ perMachine: z.boolean(), upgradeCode: z.string() }),
  })
  .loose()
  .parse(parse(readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8')));

const zSchema = z.object({
  properties: z.record(z.string(), z.unknown()),
  definitions: z.record(z.string(), z.object({ properties: z.record(z.string(), z.unknown()).optional() }).loose()),
});
const schema = zSchema.parse(JSON.parse(readFileSync(createRequire(import.meta.url).resolve('app-builder-lib/scheme.json'), 'utf8')));

describe('electron-builder configuration', () => {
  it('sets the Electron fuses that close the node escape hatches and pin the app to its asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    const fuseKeys = Object.keys(schema.definitions.FuseOptionsV1?.properties ?? {});
    expect(fuseKeys.length).toBeGreaterThan(5);
    for (const key of Object.keys(config.electronFuses)) expect(fuseKeys, key).toContain(key);
  });

  it('builds AppImage and deb, NSIS and MSI, and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toEqual(expect.arrayContaining(['nsis', 'msi']));
    expect(config.mac.target).toEqual(expect.arrayContaining(['dmg']));
    expect(config.msi.perMachine).toBe(true);
    expect(config.msi.upgradeCode).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('rebuilds the native SQLCipher module for Electron and keeps it outside the asar', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3-multiple-ciphers/**');
    expect(config.files).toContain('out/**');
    expect(config.files).toContain('!**/*.test.*');
  });

  it('uses only keys electron-builder knows', () => {
    for (const key of Object.keys(config)) expect(Object.keys(schema.properties), key).toContain(key);
    const msiKeys = Object.keys(schema.definitions.MsiOptions?.properties ?? {});
    for (const key of Object.keys(config.msi)) expect(msiKeys, key).toContain(key);
  });
});

const deployFile = (name: string) => readFileSync(new URL(`../deploy/${name}`, import.meta.url), 'utf8');

describe('deployment files', () => {
  it('ships managed configuration examples the app accepts', () => {
    expect(parseManagedConfig(deployFile('workstation/config.example.json'))).toMatchObject({ kiosk: false });
    expect(parseManagedConfig(deployFile('workstation/kiosk.example.json'))).toMatchObject({ kiosk: true });
  });

  it('runs the relay on loopback under a hardened, unprivileged systemd unit', () => {
    const unit = deployFile('systemd/wardline-relay.service');
    for (const line of ['DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'StateDirectory=wardline-relay', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX']) {
      expect(unit.split('\n'), line).toContain(line);
    }
    expect(unit).toMatch(/^ExecStart=.*--host 127\.0\.0\.1 /m);
    expect(unit).not.toContain('--test-clock');
  });

  it('terminates TLS in nginx and upgrades WebSockets to the relay, never exposing the test endpoint', () => {
    const nginx = deployFile('nginx/wardline-relay.conf');
    expect(nginx).toContain('listen 443 ssl;');
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(nginx).toContain('proxy_pass http://127.0.0.1:8787;');
    expect(nginx).toMatch(/location \/test\/ \{\s*return 404;/);
  });
});
