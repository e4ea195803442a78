/**
 * End-to-end encryption cost per message through the session layer the apps use
 * (SessionCipher: Double Ratchet + sealed sender + replay bookkeeping, in-memory store), with
 * 1 KiB payloads. Two shapes: a burst in one direction (symmetric ratchet steps only) and a
 * conversation that alternates every message (a DH ratchet step each time).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { createTestAccount, directoryOf, type TestDevice } from '../../src/shared/protocol/test-accounts';

export interface RatchetResult {
  readonly oneWayPerSecond: number;
  readonly alternatingPerSecond: number;
  /** The two curve operations that dominate the cost, for attribution. */
  readonly x25519PerSecond: number;
  readonly ed25519VerifyPerSecond: number;
}

function primitives(count: number): Pick<RatchetResult, 'x25519PerSecond' | 'ed25519VerifyPerSecond'> {
  const a = x25519.utils.randomSecretKey();
  const b = x25519.getPublicKey(x25519.utils.randomSecretKey());
  let t0 = performance.now();
  for (let i = 0; i < count; i++) x25519.getSharedSecret(a, b);
  const x25519PerSecond = (count * 1000) / (performance.now() - t0);
  const sk = ed25519.utils.randomSecretKey();
  const pk = ed25519.getPublicKey(sk);
  const msg = new Uint8Array(200);
  const sig = ed25519.sign(msg, sk);
  t0 = performance.now();
  for (let i = 0; i < count; i++) ed25519.verify(sig, msg, pk);
  return { x25519PerSecond, ed25519VerifyPerSecond: (count * 1000) / (performance.now() - t0) };
}

const to = (d: TestDevice) => ({ accountId: d.accountId, certificate: d.certificate });

export async function ratchetBench(messages: number, payloadBytes: number): Promise<RatchetResult> {
  const alice = createTestAccount(['phone']);
  const bob = createTestAccount(['phone']);
  const directory = directoryOf(alice, bob);
  const a = alice.devices[0]!;
  const b = bob.devices[0]!;
  const payload = crypto.getRandomValues(new Uint8Array(payloadBytes));
  // Establish the session (X3DH + first reply) outside the timing.
  await b.cipher.decrypt(await a.cipher.encrypt({ ...to(b), bundle: b.nextBundle() }, payload), directory);
  await a.cipher.decrypt(await b.cipher.encrypt(to(a), payload), directory);
  // Warm the JIT so the first timed shape does not pay for compilation.
  for (let i = 0; i < Math.min(20, messages); i++) await b.cipher.decrypt(await a.cipher.encrypt(to(b), payload), directory);

  let t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    const got = await b.cipher.decrypt(await a.cipher.encrypt(to(b), payload), directory);
    if (got.plaintext.length !== payloadBytes) throw new Error('ratchet bench: wrong plaintext');
  }
  const oneWayPerSecond = (messages * 1000) / (performance.now() - t0);

  t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    const [from, dest] = i % 2 === 0 ? [a, b] : [b, a];
    await dest.cipher.decrypt(await from.cipher.encrypt(to(dest), payload), directory);
  }
  const alternatingPerSecond = (messages * 1000) / (performance.now() - t0);
  return { oneWayPerSecond, alternatingPerSecond, ...primitives(Math.max(10, Math.min(200, messages))) };
}
