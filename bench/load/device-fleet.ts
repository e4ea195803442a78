/**
 * The accounts the load generator connects as: real identities, certificates and signed device
 * lists, two devices (phone + desktop) per account as on a ward. Signing is slow in pure JS
 * (~1k signatures/s here), so a generated fleet is cached under bench/.cache; the relay still
 * verifies everything on every run, and relay-auth signatures are always fresh.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { bytesToHex, hexToBytes } from '../../src/shared/bytes';
import { issueDeviceCertificate, type DeviceKind } from '../../src/shared/protocol/device-certificate';
import { signDeviceList } from '../../src/shared/protocol/device-list';
import { createAccountIdentity, createDeviceKeys, SecretKey } from '../../src/shared/protocol/identity';
import type { AccountId, DeviceId } from '../../src/shared/protocol/ids';
import { REPO_ROOT } from '../harness/child-process';

export const DEVICES_PER_ACCOUNT = 2;
const KINDS: readonly DeviceKind[] = ['phone', 'desktop'];
const CACHE_DIR = join(REPO_ROOT, 'bench', '.cache');

export interface FleetDevice {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly signingKey: SecretKey;
  /** The account's signed device list, published by the first device of each account. */
  readonly deviceList: Uint8Array;
  readonly publishesList: boolean;
}

const zCached = z.array(
  z.object({
    a: z.string(),
    l: z.string(),
    d: z.array(z.object({ d: z.string(), s: z.string() })),
  }),
);
type Cached = z.infer<typeof zCached>;

function generate(accounts: number, issuedAt: number): Cached {
  const out: Cached = [];
  for (let i = 0; i < accounts; i++) {
    const account = createAccountIdentity();
    const devices = KINDS.map((kind) => ({ kind, keys: createDeviceKeys() }));
    const certs = devices.map(({ kind, keys }) =>
      issueDeviceCertificate(
        account,
        { deviceId: keys.deviceId, signingKey: keys.signing.publicKey, dhKey: keys.dh.publicKey },
        kind,
        `bench ${kind}`,
        issuedAt,
      ),
    );
    out.push({
      a: account.accountId,
      l: bytesToHex(signDeviceList(account, 1, certs, issuedAt)),
      d: devices.map(({ keys }) => ({ d: keys.deviceId, s: bytesToHex(keys.signing.secretKey.bytes) })),
    });
  }
  return out;
}

const FILE_PATTERN = new RegExp(`^fleet-(\\d+)x${DEVICES_PER_ACCOUNT}\\.json$`);

/** The smallest cached fleet with at least `accounts` accounts (a prefix of a larger one will do). */
function cachedFleet(accounts: number): Cached | undefined {
  let files: string[];
  try {
    files = readdirSync(CACHE_DIR);
  } catch {
    return undefined;
  }
  const sizes = files
    .map((f) => Number(FILE_PATTERN.exec(f)?.[1]))
    .filter((n) => Number.isInteger(n) && n >= accounts)
    .sort((a, b) => a - b);
  for (const size of sizes) {
    try {
      const cached = zCached.parse(JSON.parse(readFileSync(join(CACHE_DIR, `fleet-${size}x${DEVICES_PER_ACCOUNT}.json`), 'utf8')));
      if (cached.length >= accounts) return cached.slice(0, accounts);
    } catch {
      // A damaged cache file: try the next one, or generate.
    }
  }
  return undefined;
}

function load(accounts: number): Cached {
  const cached = cachedFleet(accounts);
  if (cached) return cached;
  const fresh = generate(accounts, Date.now());
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(join(CACHE_DIR, `fleet-${accounts}x${DEVICES_PER_ACCOUNT}.json`), JSON.stringify(fresh));
  return fresh;
}

/** Generates (once) and caches the fleet for `count` devices; returns whether it had to generate. */
export function ensureFleet(count: number): boolean {
  const accounts = Math.ceil(count / DEVICES_PER_ACCOUNT);
  if (cachedFleet(accounts)) return false;
  load(accounts);
  return true;
}

/** `count` devices (rounded up to whole accounts). A fresh relay must be used per fleet: lists are version 1. */
export function loadFleet(count: number): FleetDevice[] {
  const accounts = Math.ceil(count / DEVICES_PER_ACCOUNT);
  const devices: FleetDevice[] = [];
  for (const a of load(accounts)) {
    const deviceList = hexToBytes(a.l);
    a.d.forEach((d, i) =>
      devices.push({
        accountId: a.a as AccountId,
        deviceId: d.d as DeviceId,
        signingKey: new SecretKey(hexToBytes(d.s)),
        deviceList,
        publishesList: i === 0,
      }),
    );
  }
  return devices.slice(0, count);
}
