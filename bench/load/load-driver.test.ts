import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../../src/shared/protocol/ids';
import type { LoadDevice } from './load-device';
import { LoadDriver } from './load-driver';

type Behaviour = 'deliver' | 'drop' | 'duplicate' | 'error';

/** In-memory devices: "sending" hands the sequence number straight to the driver (after a tick). */
function fleet(driver: LoadDriver, n: number, behaviour: (seq: number) => Behaviour): LoadDevice[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i.toString(16).padStart(32, '0') as DeviceId;
    return {
      deviceId: id,
      address: new Uint8Array(16),
      send: (_to: LoadDevice, seq: number) => {
        setTimeout(() => {
          const b = behaviour(seq);
          if (b === 'error') return driver.sendAnswered('QUEUE_FULL');
          if (b === 'drop') return;
          driver.delivered(seq);
          if (b === 'duplicate') driver.delivered(seq);
        }, 0);
      },
      close: () => undefined,
    };
  });
}

describe('LoadDriver', () => {
  it('counts every envelope of a steady phase as delivered, with latencies', async () => {
    const driver = new LoadDriver();
    driver.setDevices(fleet(driver, 4, () => 'deliver'));
    const r = await driver.steady(2000, 100, 1000);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.delivered).toBe(r.sent);
    expect(r.lost).toBe(0);
    expect(r.latencyMs.count).toBe(r.sent);
  });

  it('reports drops as lost, duplicates and error answers separately', async () => {
    const driver = new LoadDriver();
    let base = -1;
    driver.setDevices(
      fleet(driver, 3, (seq) => {
        if (base < 0) base = seq;
        const i = seq - base;
        return i % 10 === 0 ? 'drop' : i % 10 === 1 ? 'duplicate' : i % 10 === 2 ? 'error' : 'deliver';
      }),
    );
    const r = await driver.warmup(10, 200);
    expect(r.sent).toBe(30);
    expect(r.lost).toBe(6);
    expect(r.duplicates).toBe(3);
    expect(r.errors).toEqual({ QUEUE_FULL: 3 });
  });

  it('keeps a closed loop at its window and ignores deliveries from an earlier phase', async () => {
    const driver = new LoadDriver();
    const late: number[] = [];
    driver.setDevices(
      fleet(driver, 2, (seq) => {
        late.push(seq);
        return 'deliver';
      }),
    );
    const r = await driver.max(4, 50, 500, 100_000);
    expect(r.delivered).toBe(r.sent);
    expect(r.sent).toBeGreaterThan(4);
    // A straggler from the finished phase must not count in the next one.
    const next = driver.warmup(1, 200);
    driver.delivered(late[0]!);
    const w = await next;
    expect(w).toMatchObject({ sent: 2, delivered: 2, duplicates: 0 });
  });
});
