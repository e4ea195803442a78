import { describe, expect, it } from 'vitest';
import { bytesToHex, bytesToUtf8, utf8ToBytes } from '../bytes';
import { ProtocolError } from '../errors';
import { RATCHET_MAX_SKIPPED_KEYS, RATCHET_MAX_SKIP_PER_CHAIN } from '../limits';
import { dhPublicKey } from './diffie-hellman';
import { DoubleRatchet } from './ratchet';
import { RATCHET_HEADER_BYTES } from './ratchet-header';
import { seededInts, seededRandom } from './seeded-random';
import { thrownCode } from '../testing/error-code';

function pair(seed = 'pair') {
  const random = seededRandom(seed);
  const sharedKey = random(32);
  const ad = random(128);
  const bobRatchetSecret = random(32);
  const alice = DoubleRatchet.initiate(sharedKey, ad, dhPublicKey(bobRatchetSecret), random);
  const bob = DoubleRatchet.respond(sharedKey, ad, bobRatchetSecret, random);
  return { alice, bob };
}

const codeOf = (fn: () => unknown) => thrownCode(fn, { only: ProtocolError });

const text = (s: string) => utf8ToBytes(s);

describe('Double Ratchet', () => {
  it('exchanges messages both ways', () => {
    const { alice, bob } = pair();
    expect(bob.canSend).toBe(false);
    expect(bytesToUtf8(bob.decrypt(alice.encrypt(text('hello'))))).toBe('hello');
    expect(bytesToUtf8(alice.decrypt(bob.encrypt(text('hi back'))))).toBe('hi back');
    expect(bytesToUtf8(bob.decrypt(alice.encrypt(text('')))).length).toBe(0);
  });

  it('survives 1,000 messages in random order with drops and duplicates (seeded)', () => {
    const seed = 20261125;
    const rng = seededInts(seed);
    const { alice, bob } = pair(`random-${seed}`);
    const parties = [alice, bob] as const;
    interface InFlight { to: 0 | 1; bytes: Uint8Array; body: string; delivered: boolean }
    const queue: InFlight[] = [];
    let sent = 0;
    let delivered = 0;
    let replaysRefused = 0;
    let bobHasReceived = false;
    for (let step = 0; step < 20_000 && (sent < 1000 || queue.length > 0); step++) {
      const canBobSend = bobHasReceived;
      if (sent < 1000 && (queue.length === 0 || rng.next(2) === 0)) {
        const from: 0 | 1 = canBobSend && rng.next(2) === 1 ? 1 : 0;
        // Bursts: several messages per chain, as in a real conversation.
        for (let burst = 1 + rng.next(4); burst > 0 && sent < 1000; burst--) {
          const body = `m${sent} from ${from === 0 ? 'alice' : 'bob'}`;
          const bytes = parties[from].encrypt(text(body));
          sent++;
          if (rng.next(20) === 0) continue; // dropped by the network
          queue.push({ to: from === 0 ? 1 : 0, bytes, body, delivered: false });
        }
        continue;
      }
      // Out of order, but within a window so duplicates come back before many chains pass.
      const index = rng.next(Math.min(8, queue.length));
      const m = queue.splice(index, 1)[0]!;
      const receiver = parties[m.to];
      if (m.delivered) {
        expect(codeOf(() => receiver.decrypt(m.bytes))).toBe('REPLAY');
        replaysRefused++;
        continue;
      }
      expect(bytesToUtf8(receiver.decrypt(m.bytes))).toBe(m.body);
      delivered++;
      if (m.to === 1) bobHasReceived = true;
      if (rng.next(20) === 0) queue.push({ ...m, delivered: true }); // duplicated by the network
    }
    expect(sent).toBe(1000);
    expect(delivered).toBeGreaterThan(900);
    expect(replaysRefused).toBeGreaterThan(10);
    expect(queue).toHaveLength(0);
  });

  it('refuses a tampered ciphertext or header and keeps its state', () => {
    const { alice, bob } = pair();
    bob.decrypt(alice.encrypt(text('first')));
    const m = alice.encrypt(text('second'));
    const before = bytesToHex(bob.serialize());
    const body = m.slice();
    body[body.length - 1]! ^= 1;
    expect(codeOf(() => bob.decrypt(body))).toBe('DECRYPT_FAILED');
    const header = m.slice();
    header[RATCHET_HEADER_BYTES - 1]! ^= 1; // message number 1 → 0 or 3: the AD no longer matches
    expect(['DECRYPT_FAILED', 'REPLAY']).toContain(codeOf(() => bob.decrypt(header)));
    const key = m.slice();
    key[5]! ^= 1; // a forged ratchet key would start a DH step; it must not stick
    expect(codeOf(() => bob.decrypt(key))).toBe('DECRYPT_FAILED');
    expect(bytesToHex(bob.serialize())).toBe(before);
    expect(bytesToUtf8(bob.decrypt(m))).toBe('second');
  });

  it('refuses a reused message number', () => {
    const { alice, bob } = pair();
    const m = alice.encrypt(text('once'));
    bob.decrypt(m);
    expect(codeOf(() => bob.decrypt(m))).toBe('REPLAY');
    const late = alice.encrypt(text('skipped'));
    bob.decrypt(alice.encrypt(text('after')));
    bob.decrypt(late);
    expect(codeOf(() => bob.decrypt(late))).toBe('REPLAY');
  });

  it('refuses a replay into a finished chain', () => {
    const { alice, bob } = pair();
    const old = alice.encrypt(text('chain 1'));
    bob.decrypt(old);
    alice.decrypt(bob.encrypt(text('reply')));
    bob.decrypt(alice.encrypt(text('chain 2')));
    expect(codeOf(() => bob.decrypt(old))).toBe('REPLAY');
  });

  it('bounds the skipped keys per chain and atomically refuses beyond', () => {
    const { alice, bob } = pair();
    const msgs = Array.from({ length: RATCHET_MAX_SKIP_PER_CHAIN + 2 }, (_, i) => alice.encrypt(text(`m${i}`)));
    const before = bytesToHex(bob.serialize());
    expect(codeOf(() => bob.decrypt(msgs[RATCHET_MAX_SKIP_PER_CHAIN + 1]!))).toBe('TOO_MANY_SKIPPED');
    expect(bytesToHex(bob.serialize())).toBe(before);
    expect(bytesToUtf8(bob.decrypt(msgs[RATCHET_MAX_SKIP_PER_CHAIN]!))).toBe(`m${RATCHET_MAX_SKIP_PER_CHAIN}`);
    expect(bob.skippedKeyCount).toBe(RATCHET_MAX_SKIP_PER_CHAIN);
    expect(bytesToUtf8(bob.decrypt(msgs[7]!))).toBe('m7');
  });

  it('keeps the total of skipped keys bounded, dropping the oldest', () => {
    const { alice, bob } = pair();
    bob.decrypt(alice.encrypt(text('start')));
    const oldest: Uint8Array[] = [];
    for (let round = 0; round < 3; round++) {
      const skipped = Array.from({ length: RATCHET_MAX_SKIP_PER_CHAIN }, () => alice.encrypt(text('lost')));
      if (round === 0) oldest.push(skipped[0]!);
      bob.decrypt(alice.encrypt(text('arrives')));
      alice.decrypt(bob.encrypt(text('turn')));
    }
    expect(bob.skippedKeyCount).toBe(RATCHET_MAX_SKIPPED_KEYS);
    expect(codeOf(() => bob.decrypt(oldest[0]!))).not.toBeUndefined();
  });

  it('rejects truncated, garbage and unknown-version input', () => {
    const { alice, bob } = pair();
    const m = alice.encrypt(text('x'));
    expect(codeOf(() => bob.decrypt(m.subarray(0, 20)))).toBe('MALFORMED');
    expect(codeOf(() => bob.decrypt(new Uint8Array()))).toBe('MALFORMED');
    const v2 = m.slice();
    v2[0] = 2;
    expect(codeOf(() => bob.decrypt(v2))).toBe('UNSUPPORTED_VERSION');
    const garbage = seededRandom('garbage')(80);
    garbage[0] = 1;
    // Random counters usually exceed the skip bound; either way nothing is committed.
    const before = bytesToHex(bob.serialize());
    expect(codeOf(() => bob.decrypt(garbage))).toMatch(/^(DECRYPT_FAILED|TOO_MANY_SKIPPED)$/);
    expect(bytesToHex(bob.serialize())).toBe(before);
    expect(bytesToUtf8(bob.decrypt(m))).toBe('x');
    expect(codeOf(() => DoubleRatchet.deserialize(garbage))).toBe('MALFORMED');
  });

  it('serialises and restores mid-conversation, including skipped keys', () => {
    const { alice, bob } = pair();
    bob.decrypt(alice.encrypt(text('one')));
    const skipped = alice.encrypt(text('two'));
    bob.decrypt(alice.encrypt(text('three')));
    const bob2 = DoubleRatchet.deserialize(bob.serialize());
    const alice2 = DoubleRatchet.deserialize(alice.serialize());
    expect(bytesToUtf8(bob2.decrypt(skipped))).toBe('two');
    expect(bytesToUtf8(alice2.decrypt(bob2.encrypt(text('four'))))).toBe('four');
    expect(bytesToUtf8(bob2.decrypt(alice2.encrypt(text('five'))))).toBe('five');
  });

  it('recovers from a compromise once a fresh ratchet key is used (post-compromise security)', () => {
    const { alice, bob } = pair();
    bob.decrypt(alice.encrypt(text('a1')));
    alice.decrypt(bob.encrypt(text('b1')));
    bob.decrypt(alice.encrypt(text('a2')));
    const stolen = DoubleRatchet.deserialize(bob.serialize(), seededRandom('attacker'));
    const beforeRecovery = alice.encrypt(text('readable'));
    expect(bytesToUtf8(stolen.decrypt(beforeRecovery))).toBe('readable');
    bob.decrypt(beforeRecovery);
    for (let i = 0; i < 2; i++) {
      alice.decrypt(bob.encrypt(text(`b-turn-${i}`)));
      const next = alice.encrypt(text(`a-turn-${i}`));
      bob.decrypt(next);
      if (i === 1) expect(codeOf(() => stolen.decrypt(next))).toBe('DECRYPT_FAILED');
      else stolen.decrypt(next); // the attacker keeps following as far as it can
    }
  });

  it('the responder cannot send before it has received', () => {
    const { bob } = pair();
    expect(codeOf(() => bob.encrypt(text('too early')))).toBe('NO_SESSION');
  });

  // Node hands out Buffers (store BLOBs, ws frames, Buffer.from), whose .slice() is a view, often
  // at a non-zero offset into a shared pool: the ratchet must neither misread nor alias them.
  const asBuffer = (bytes: Uint8Array, offset = 7): Buffer => {
    const backing = Buffer.alloc(bytes.length + offset, 0xee);
    backing.set(bytes, offset);
    return backing.subarray(offset);
  };

  it('decrypts a message handed over as a Buffer at a non-zero offset', () => {
    const { alice, bob } = pair('buffer-message');
    alice.encrypt(text('one'));
    expect(bytesToUtf8(bob.decrypt(asBuffer(alice.encrypt(text('two')))))).toBe('two');
  });

  it('keeps nothing that aliases a decrypted message buffer', () => {
    const { alice, bob } = pair('buffer-reuse');
    const first = asBuffer(alice.encrypt(text('first')), 0);
    expect(bytesToUtf8(bob.decrypt(first))).toBe('first');
    first.fill(0); // the caller reuses or wipes its receive buffer
    expect(bytesToUtf8(bob.decrypt(alice.encrypt(text('second'))))).toBe('second');
  });

  it('owns copies of its Buffer inputs, so the caller may wipe them', () => {
    const random = seededRandom('buffer-inputs');
    const sharedKey = random(32);
    const ad = random(128);
    const bobSecret = random(32);
    const inputs = { sharedKey: asBuffer(sharedKey), ad: asBuffer(ad), secret: asBuffer(bobSecret), remote: asBuffer(dhPublicKey(bobSecret)) };
    const alice = DoubleRatchet.initiate(inputs.sharedKey, inputs.ad, inputs.remote, random);
    const bob = DoubleRatchet.respond(asBuffer(sharedKey), asBuffer(ad), inputs.secret, random);
    for (const b of Object.values(inputs)) b.fill(0);
    expect(bytesToUtf8(bob.decrypt(alice.encrypt(text('after wipe'))))).toBe('after wipe');
    expect(bytesToUtf8(alice.decrypt(bob.encrypt(text('reply'))))).toBe('reply');
  });
});
