/**
 * Suite 4: pairing wall time through a relay process, median of N, measured twice: as the
 * product does it (desktop core + companion phone, until the app is ready) and at the protocol
 * level alone (handshake, relay auth, store open) to show where the time goes. The relay allows
 * RENDEZVOUS_OPENS_PER_MINUTE rendezvous opens per client address and both sides of a pairing
 * open one from 127.0.0.1, so a fresh relay is started for every batch that fits the allowance.
 */
import { RENDEZVOUS_OPENS_PER_MINUTE } from '../../src/shared/limits';
import type { Measurement } from '../harness/measurement';
import { percentile, summarize } from '../harness/percentiles';
import { ServerProcess } from '../harness/server-process';
import { CompanionPhone } from '../../src/phone/companion-phone';
import { createBenchPhone } from '../pairing/bench-phone';
import { pairDesktopCore } from '../pairing/pair-desktop-core';
import { pairOnce } from '../pairing/pair-once';

export interface PairingOptions {
  readonly pairings: number;
  readonly log: (line: string) => void;
}

const PER_RELAY = Math.floor(RENDEZVOUS_OPENS_PER_MINUTE / 2);

/** Runs `pairings` timed pairings, starting a relay per batch; `once` pairs one desktop. */
async function timeBatches<P extends { close(): void | Promise<void> }, T>(
  pairings: number,
  newPhone: (relayUrl: string) => Promise<P>,
  once: (relayUrl: string, phone: P) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  let warmed = false;
  while (out.length < pairings) {
    const relay = await ServerProcess.start('relay');
    try {
      const phone = await newPhone(relay.url);
      try {
        // One untimed pairing on the first relay warms both processes (JIT, SQLite statements).
        if (!warmed) await once(relay.url, phone);
        const batch = Math.min(PER_RELAY - (warmed ? 0 : 1), pairings - out.length);
        warmed = true;
        for (let i = 0; i < batch; i++) out.push(await once(relay.url, phone));
      } finally {
        await phone.close();
      }
    } finally {
      await relay.stop();
    }
  }
  return out;
}

export async function runPairingTime(o: PairingOptions): Promise<Measurement[]> {
  const profile = { displayName: 'Bench Nurse', profession: 'Nursing' };
  const productMs = await timeBatches(o.pairings, (relayUrl) => CompanionPhone.create({ relayUrl, profile }), pairDesktopCore);
  const product = summarize(productMs);
  o.log(`  pairing (desktop core + companion phone): median ${product.p50.toFixed(0)} ms over ${product.count}`);
  const protocol = await timeBatches(o.pairings, createBenchPhone, pairOnce);
  const h = summarize(protocol.map((t) => t.handshakeMs));
  const u = summarize(protocol.map((t) => t.usableMs));
  o.log(`  pairing (protocol only): median ${u.p50.toFixed(0)} ms`);
  const c = `QR offer → ready desktop (n=${product.count})`;
  const p = `protocol only (n=${u.count})`;
  return [
    { suite: 'pairing', case: c, metric: 'median', value: product.p50, unit: 'ms' },
    { suite: 'pairing', case: c, metric: 'p90', value: percentile([...productMs].sort((a, b) => a - b), 90), unit: 'ms' },
    { suite: 'pairing', case: c, metric: 'max', value: product.max, unit: 'ms' },
    { suite: 'pairing', case: p, metric: 'median, handshake', value: h.p50, unit: 'ms' },
    { suite: 'pairing', case: p, metric: 'median, + relay auth + store open', value: u.p50, unit: 'ms' },
  ];
}
