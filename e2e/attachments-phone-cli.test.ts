/** Attachments through the companion phone CLI (real relay process): send-file, listen --save-dir. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { jpegWithMetadata } from '../src/shared/attachments/image-fixtures';
import { stripImageMetadata } from '../src/shared/attachments/image-metadata';

const run = promisify(execFile);
let relay: RelayProcess;
let dir: string;

beforeAll(async () => {
  relay = await spawnRelay();
  dir = mkdtempSync(join(tmpdir(), 'wardline-phone-attachments-'));
});
afterAll(async () => {
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function phone(data: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/phone/cli.ts', ...args, '--data', join(dir, data), '--relay', relay.url], { timeout: 60_000 });
  return stdout;
}

describe('phone CLI attachments (real relay process)', () => {
  it('sends a GPS-tagged photo with send-file; the other phone saves it without the tags', async () => {
    const [outA, outB] = await Promise.all([phone('a', 'create', '--name', 'Dr. A'), phone('b', 'create', '--name', 'Nurse B')]);
    const b = /^account ([0-9a-f]{32})$/m.exec(outB)![1]!;
    expect(outA).toMatch(/^account /m);
    const data = Buffer.alloc(8 * 8 * 4, 0x7f);
    const tagged = jpegWithMetadata(new Uint8Array(jpeg.encode({ data, width: 8, height: 8 }, 90).data));
    const path = join(dir, 'bed-3.jpg');
    writeFileSync(path, tagged);
    const sent = await phone('a', 'send-file', b, path);
    const id = /^sent ([0-9a-f]{32})$/m.exec(sent)![1]!;

    const saveDir = join(dir, 'inbox');
    mkdirSync(saveDir);
    const listened = await phone('b', 'listen', '--count', '1', '--timeout-ms', '15000', '--save-dir', saveDir);
    expect(listened).toContain(`attachment ${id}`);
    expect(listened).toContain('image/jpeg');
    const saved = readFileSync(join(saveDir, `${id}-bed-3.jpg`));
    expect(await exifr.gps(saved)).toBeUndefined();
    expect(saved.equals(Buffer.from(stripImageMetadata(tagged, 'image/jpeg')))).toBe(true);
  });
});
