/**
 * The load generator child: opens N device connections to a server on 127.0.0.1 and drives
 * envelopes between them on the orchestrator's commands (IPC, one reply per command).
 *
 *   spawned by bench/load/load-generator-process.ts; exits when the orchestrator goes away.
 */
import { randomBytes } from 'node:crypto';
import { BareDevice } from './bare-device';
import { loadFleet } from './device-fleet';
import type { LoadDevice } from './load-device';
import { LoadDriver } from './load-driver';
import { zLoadCommand, type LoadCommand, type LoadReply } from './load-protocol';
import { guardAgainstOrphaning } from './orphan-guard';
import { RelayDevice } from './relay-device';

guardAgainstOrphaning(15 * 60 * 1000);

const driver = new LoadDriver();
let devices: LoadDevice[] = [];

function reply(message: LoadReply): void {
  process.send?.(message);
}

async function connectAll(cmd: Extract<LoadCommand, { kind: 'connect' }>): Promise<LoadReply> {
  const start = performance.now();
  const ciphertext = new Uint8Array(randomBytes(cmd.ciphertextBytes));
  const frameBytes = RelayDevice.sendFrame('0'.repeat(32) as never, 0, ciphertext, 1).length;
  const fleet = cmd.target === 'relay' ? loadFleet(cmd.from + cmd.count).slice(cmd.from) : [];
  const slots: (LoadDevice | undefined)[] = new Array<LoadDevice | undefined>(cmd.count);
  let failed = 0;
  let firstError: string | undefined;
  const connectEach = async (indexes: readonly number[]) => {
    let next = 0;
    const worker = async () => {
      while (next < indexes.length) {
        const i = indexes[next++]!;
        try {
          slots[i] =
            cmd.target === 'relay'
              ? await RelayDevice.connect(cmd.url, fleet[i]!, ciphertext, driver)
              : await BareDevice.connect(cmd.url, frameBytes, driver, cmd.target === 'bare-ack');
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(cmd.concurrency, indexes.length) }, worker));
  };
  const all = Array.from({ length: cmd.count }, (_, i) => i);
  if (cmd.target === 'relay') {
    // A device can only authenticate once its account's list is published: publishers first.
    await connectEach(all.filter((i) => fleet[i]!.publishesList));
    await connectEach(all.filter((i) => !fleet[i]!.publishesList));
  } else {
    await connectEach(all);
  }
  const connected = slots.filter((d): d is LoadDevice => d !== undefined);
  devices = [...devices, ...connected];
  driver.setDevices(devices, cmd.target !== 'bare');
  return {
    kind: 'connected',
    connected: connected.length,
    failed,
    ...(firstError ? { firstError } : {}),
    setupMs: performance.now() - start,
  };
}

async function handle(cmd: LoadCommand): Promise<LoadReply> {
  switch (cmd.kind) {
    case 'connect':
      return connectAll(cmd);
    case 'warmup':
      return { kind: 'phase', result: await driver.warmup(cmd.perDevice, cmd.drainMs) };
    case 'steady':
      return { kind: 'phase', result: await driver.steady(cmd.rate, cmd.durationMs, cmd.drainMs) };
    case 'max':
      return { kind: 'phase', result: await driver.max(cmd.window, cmd.durationMs, cmd.drainMs, cmd.capacity) };
    case 'close':
      for (const d of devices) d.close();
      devices = [];
      return { kind: 'closed' };
  }
}

process.on('message', (raw) => {
  const parsed = zLoadCommand.safeParse(raw);
  if (!parsed.success) return reply({ kind: 'error', message: `bad command: ${parsed.error.issues[0]?.message ?? ''}` });
  handle(parsed.data).then(reply, (error: unknown) => reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
});
reply({ kind: 'ready' });
