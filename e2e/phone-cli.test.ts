/**
 * The companion phone across processes: a real relay process, phones run through the CLI
 * (`tsx src/phone/cli.ts`), and the desktop side of pairing driven here with protocol code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/shared/clock';
import { verifyDeviceList } from '../src/shared/protocol/device-list';
import { createPairingOffer, newWorkstationId, openRendezvousChannel, runDesktopPairing } from '../src/shared/protocol/pairing';
import type { AccountId } from '../src/shared/protocol/ids';
import { openClient } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

const run = promisify(execFile);
let relay: RelayProcess;
let dir: string;

beforeAll(async () => {
  relay = await spawnRelay();
  dir = mkdtempSync(join(tmpdir(), 'wardline-phone-e2e-'));
});
afterAll(async () => {
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function phone(data: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/phone/cli.ts', ...args, '--data', join(dir, data), '--relay', relay.url], {
    timeout: 60_000,
  });
  return stdout;
}

const accountOf = (stdout: string) => /^account ([0-9a-f]{32})$/m.exec(stdout)![1]! as AccountId;

describe('companion phone CLI (real relay process)', () => {
  it('two phones register and exchange a message; a phone pairs a desktop through the rendezvous', async () => {
    const [outA, outB] = await Promise.all([phone('a', 'create', '--name', 'Dr. A'), phone('b', 'create', '--name', 'Nurse B')]);
    const a = accountOf(outA);
    const b = accountOf(outB);

    const planted = 'potassium 6.1 bed 12';
    expect(await phone('a', 'send', b, planted)).toMatch(/^sent [0-9a-f]{32}$/m);
    const listened = await phone('b', 'listen', '--count', '1', '--timeout-ms', '15000');
    expect(listened).toContain(`from ${a}: ${planted}`);

    const offer = createPairingOffer(relay.url, systemClock);
    const rv = await openClient(relay.url);
    const channel = await openRendezvousChannel(rv, offer.offer.channelId);
    let shown = '';
    const [desktop, pairOut] = await Promise.all([
      runDesktopPairing(channel, offer, { workstationId: newWorkstationId(), name: 'Ward 4 desk' }, { onConfirmationCode: (c) => (shown = c) }),
      phone('a', 'pair', offer.url, '--yes'),
    ]);
    rv.close();
    expect(pairOut).toContain(`desktop "Ward 4 desk" confirmation code ${shown.slice(0, 3)} ${shown.slice(3)}`);
    expect(pairOut).toContain(`linked ${desktop.deviceKeys.deviceId}`);
    expect(desktop.accountId).toBe(a);
    expect(desktop.profile.displayName).toBe('Dr. A');
    expect(desktop.snapshot.messages.map((m) => m.body)).toContain(planted);

    const observer = await openClient(relay.url);
    const list = verifyDeviceList((await observer.getDeviceList(a))!);
    expect(list.devices.map((d) => d.deviceId)).toContain(desktop.deviceKeys.deviceId);
    observer.close();

    expect(relay.logs()).not.toContain(planted);
  }, 120_000);
});
