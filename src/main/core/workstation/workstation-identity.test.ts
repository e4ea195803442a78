import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSTATION_NAME, loadWorkstationIdentity, saveWorkstationIdentity, WORKSTATION_FILE } from './workstation-identity';

const dirs: string[] = [];
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'wardline-ws-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('workstation identity', () => {
  it('is created once and stays stable across loads', async () => {
    const dir = await tempDir();
    const first = await loadWorkstationIdentity(dir);
    expect(first.workstationId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.name).toBe(DEFAULT_WORKSTATION_NAME);
    const second = await loadWorkstationIdentity(dir);
    expect(second).toEqual(first);
  });

  it('takes a configured name but keeps the id; settings survive', async () => {
    const dir = await tempDir();
    const first = await loadWorkstationIdentity(dir, 'Ward 4 nursing station');
    await saveWorkstationIdentity(dir, { ...first, settings: { ...first.settings, language: 'nl' } });
    const renamed = await loadWorkstationIdentity(dir, 'Ward 5');
    expect(renamed.workstationId).toBe(first.workstationId);
    expect(renamed.name).toBe('Ward 5');
    expect(renamed.settings.language).toBe('nl');
  });

  it('replaces a damaged or foreign file with a fresh identity', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, WORKSTATION_FILE), '{"v":1,"workstationId":"../../etc","name":"x"}');
    const a = await loadWorkstationIdentity(dir);
    expect(a.workstationId).toMatch(/^[0-9a-f]{32}$/);
    await writeFile(join(dir, WORKSTATION_FILE), 'not json');
    const b = await loadWorkstationIdentity(dir);
    expect(b.workstationId).not.toBe(a.workstationId);
    expect(JSON.parse(await readFile(join(dir, WORKSTATION_FILE), 'utf8'))).toMatchObject({ v: 1, workstationId: b.workstationId });
  });
});
