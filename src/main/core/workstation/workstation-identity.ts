/**
 * The workstation's stable, non-secret identity (a random id and the name shown on the phone
 * during pairing) plus the device-independent UI settings. Nothing here is content or key
 * material, so it lives in a plain JSON file under the data directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { zSettings, type Settings } from '../../../shared/api';

export const WORKSTATION_FILE = 'workstation.json';
export const DEFAULT_WORKSTATION_NAME = 'Wardline workstation';
export const DEFAULT_SETTINGS: Settings = { language: 'en', notifications: 'private', privacyReveal: 'click' };

const zWorkstationFile = z
  .object({
    v: z.literal(1),
    workstationId: z.string().regex(/^[0-9a-f]{32}$/),
    name: z.string().min(1).max(100),
    settings: zSettings.catch(DEFAULT_SETTINGS),
  })
  .strict();

export interface WorkstationIdentity {
  readonly workstationId: string;
  readonly name: string;
  readonly settings: Settings;
}

async function readIdentity(path: string): Promise<WorkstationIdentity | null> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = zWorkstationFile.safeParse(json);
  return parsed.success ? { workstationId: parsed.data.workstationId, name: parsed.data.name, settings: parsed.data.settings } : null;
}

export async function saveWorkstationIdentity(dataDir: string, identity: WorkstationIdentity): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, WORKSTATION_FILE);
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify({ v: 1, ...identity }, null, 2), { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * Loads the identity, creating it on first start. A damaged file is replaced by a new identity:
 * the phone then sees an unknown workstation and proposes a fresh database key, which is the
 * safe outcome. A configured name (managed deployment) overrides the stored one.
 */
export async function loadWorkstationIdentity(dataDir: string, configuredName?: string): Promise<WorkstationIdentity> {
  const existing = await readIdentity(join(dataDir, WORKSTATION_FILE));
  const name = (configuredName ?? existing?.name ?? DEFAULT_WORKSTATION_NAME).slice(0, 100) || DEFAULT_WORKSTATION_NAME;
  if (existing && existing.name === name) return existing;
  const identity: WorkstationIdentity = {
    workstationId: existing?.workstationId ?? randomBytes(16).toString('hex'),
    name,
    settings: existing?.settings ?? DEFAULT_SETTINGS,
  };
  await saveWorkstationIdentity(dataDir, identity);
  return identity;
}
