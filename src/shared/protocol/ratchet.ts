/**
 * The Double Ratchet (Signal specification, revision 4) over X25519, HKDF-SHA256, HMAC-SHA256
 * and XChaCha20-Poly1305. Decryption is atomic: it works on a copy of the state and commits
 * only after the AEAD has authenticated the message, so forged or damaged input never moves
 * the ratchet, burns a skipped key or fills the skipped-key store.
 */
import { z } from 'zod';
import { bytesToHex, concatBytes, constantTimeEqual, copyBytes, wipe } from '../bytes';
import { ProtocolError } from '../errors';
import { RATCHET_MAX_PREVIOUS_CHAINS, RATCHET_MAX_SKIPPED_KEYS, RATCHET_MAX_SKIP_PER_CHAIN } from '../limits';
import { aeadOpen, aeadSeal } from './aead';
import { decodeCbor, encodeCbor, zBytes } from './codec';
import { dh, dhPublicKey, generateDhKeyPair, secureRandom, type DhKeyPair, type RandomSource } from './diffie-hellman';
import { kdfChain, kdfRoot, messageKeys } from './ratchet-kdf';
import { decodeRatchetMessage, encodeRatchetHeader, type RatchetHeader } from './ratchet-header';

interface RatchetState {
  dhs: DhKeyPair;
  dhr: Uint8Array | null;
  rk: Uint8Array;
  cks: Uint8Array | null;
  ckr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  /** "<ratchet key hex>:<n>" → message key; Map order is age order, oldest first. */
  skipped: Map<string, Uint8Array>;
  /** Earlier receiving ratchet keys (hex), newest last. */
  previous: string[];
  /** X3DH associated data, prefixed to every header as AEAD associated data. */
  ad: Uint8Array;
}

const skippedKeyId = (dhPub: Uint8Array, n: number) => `${bytesToHex(dhPub)}:${n}`;

export class DoubleRatchet {
  #s: RatchetState;
  readonly #random: RandomSource;

  private constructor(state: RatchetState, random: RandomSource) {
    this.#s = state;
    this.#random = random;
  }

  /** The X3DH initiator: knows the responder's signed prekey, which is the first remote ratchet key. */
  static initiate(sharedKey: Uint8Array, associatedData: Uint8Array, remoteRatchetKey: Uint8Array, random: RandomSource = secureRandom): DoubleRatchet {
    const dhs = generateDhKeyPair(random);
    const { rootKey, chainKey } = kdfRoot(sharedKey, dh(dhs.secretKey, remoteRatchetKey));
    return new DoubleRatchet(
      { dhs, dhr: copyBytes(remoteRatchetKey), rk: rootKey, cks: chainKey, ckr: null, ns: 0, nr: 0, pn: 0, skipped: new Map(), previous: [], ad: copyBytes(associatedData) },
      random,
    );
  }

  /** The X3DH responder: its signed prekey pair is its first ratchet key pair. */
  static respond(sharedKey: Uint8Array, associatedData: Uint8Array, ownRatchetSecret: Uint8Array, random: RandomSource = secureRandom): DoubleRatchet {
    // Copies of the inputs (which may be Buffers from the store, where .slice() is a view): the caller may wipe its own.
    const dhs = { secretKey: copyBytes(ownRatchetSecret), publicKey: dhPublicKey(ownRatchetSecret) };
    return new DoubleRatchet(
      { dhs, dhr: null, rk: copyBytes(sharedKey), cks: null, ckr: null, ns: 0, nr: 0, pn: 0, skipped: new Map(), previous: [], ad: copyBytes(associatedData) },
      random,
    );
  }

  /** Whether this side may send yet (the responder must first receive). */
  get canSend(): boolean {
    return this.#s.cks !== null;
  }

  get skippedKeyCount(): number {
    return this.#s.skipped.size;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const s = this.#s;
    if (!s.cks) throw new ProtocolError('NO_SESSION', 'ratchet: no sending chain before the first received message');
    const { chainKey, messageKey } = kdfChain(s.cks);
    const headerBytes = encodeRatchetHeader({ dh: s.dhs.publicKey, pn: s.pn, n: s.ns });
    const { key, nonce } = messageKeys(messageKey);
    const ciphertext = aeadSeal(key, nonce, plaintext, concatBytes(s.ad, headerBytes));
    wipe(messageKey, key, s.cks);
    s.cks = chainKey;
    s.ns += 1;
    return concatBytes(headerBytes, ciphertext);
  }

  decrypt(message: Uint8Array): Uint8Array {
    const { header, headerBytes, ciphertext } = decodeRatchetMessage(message);
    const s = cloneState(this.#s);
    const messageKey = this.#messageKeyFor(s, header);
    const { key, nonce } = messageKeys(messageKey);
    const plaintext = aeadOpen(key, nonce, ciphertext, concatBytes(s.ad, headerBytes), 'ratchet message');
    wipe(messageKey, key);
    this.#s = s;
    return plaintext;
  }

  #messageKeyFor(s: RatchetState, header: RatchetHeader): Uint8Array {
    const id = skippedKeyId(header.dh, header.n);
    const stored = s.skipped.get(id);
    if (stored) {
      s.skipped.delete(id);
      return stored.slice();
    }
    if (s.dhr && constantTimeEqual(s.dhr, header.dh)) {
      if (header.n < s.nr) throw new ProtocolError('REPLAY', 'ratchet: message number already used');
    } else if (s.previous.includes(bytesToHex(header.dh))) {
      throw new ProtocolError('REPLAY', 'ratchet: message from a finished chain already used');
    } else {
      skipMessageKeys(s, header.pn);
      this.#dhRatchet(s, header.dh);
    }
    skipMessageKeys(s, header.n);
    if (!s.ckr) throw new ProtocolError('NO_SESSION', 'ratchet: no receiving chain');
    const { chainKey, messageKey } = kdfChain(s.ckr);
    s.ckr = chainKey;
    s.nr += 1;
    return messageKey;
  }

  #dhRatchet(s: RatchetState, remote: Uint8Array): void {
    if (s.dhr) {
      s.previous.push(bytesToHex(s.dhr));
      if (s.previous.length > RATCHET_MAX_PREVIOUS_CHAINS) s.previous.shift();
    }
    s.pn = s.ns;
    s.ns = 0;
    s.nr = 0;
    s.dhr = copyBytes(remote);
    const recv = kdfRoot(s.rk, dh(s.dhs.secretKey, s.dhr));
    s.ckr = recv.chainKey;
    s.dhs = generateDhKeyPair(this.#random);
    const send = kdfRoot(recv.rootKey, dh(s.dhs.secretKey, s.dhr));
    s.rk = send.rootKey;
    s.cks = send.chainKey;
  }

  serialize(): Uint8Array {
    const s = this.#s;
    return encodeCbor({
      v: 1,
      s: s.dhs.secretKey,
      sp: s.dhs.publicKey,
      r: s.dhr,
      rk: s.rk,
      cs: s.cks,
      cr: s.ckr,
      ns: s.ns,
      nr: s.nr,
      pn: s.pn,
      k: [...s.skipped].map(([id, mk]) => [id, mk]),
      p: s.previous,
      ad: s.ad,
    });
  }

  static deserialize(bytes: Uint8Array, random: RandomSource = secureRandom): DoubleRatchet {
    const o = decodeCbor(bytes, zState, 'ratchet state');
    return new DoubleRatchet(
      {
        // Copies, because decoded byte strings may be views into `bytes` and keys get wiped.
        dhs: { secretKey: copyBytes(o.s), publicKey: copyBytes(o.sp) },
        dhr: o.r ? copyBytes(o.r) : null,
        rk: copyBytes(o.rk),
        cks: o.cs ? copyBytes(o.cs) : null,
        ckr: o.cr ? copyBytes(o.cr) : null,
        ns: o.ns,
        nr: o.nr,
        pn: o.pn,
        skipped: new Map(o.k.map(([id, mk]) => [id, copyBytes(mk)])),
        previous: o.p,
        ad: copyBytes(o.ad),
      },
      random,
    );
  }
}

/** Derives and stores the receiving chain's keys up to (not including) message `until`. */
function skipMessageKeys(s: RatchetState, until: number): void {
  if (!s.ckr || !s.dhr) return;
  if (until - s.nr > RATCHET_MAX_SKIP_PER_CHAIN) throw new ProtocolError('TOO_MANY_SKIPPED', 'ratchet: too many skipped messages in one chain');
  while (s.nr < until) {
    const { chainKey, messageKey } = kdfChain(s.ckr);
    s.skipped.set(skippedKeyId(s.dhr, s.nr), messageKey);
    s.ckr = chainKey;
    s.nr += 1;
  }
  // Past the total cap the oldest keys go: those messages are the least likely still in flight.
  for (const id of s.skipped.keys()) {
    if (s.skipped.size <= RATCHET_MAX_SKIPPED_KEYS) break;
    s.skipped.delete(id);
  }
}

function cloneState(s: RatchetState): RatchetState {
  return { ...s, skipped: new Map(s.skipped), previous: [...s.previous] };
}

const zCounter = z.number().int().nonnegative().max(0xffff_ffff);
const zState = z
  .object({
    v: z.literal(1),
    s: zBytes(32),
    sp: zBytes(32),
    r: zBytes(32).nullable(),
    rk: zBytes(32),
    cs: zBytes(32).nullable(),
    cr: zBytes(32).nullable(),
    ns: zCounter,
    nr: zCounter,
    pn: zCounter,
    k: z.array(z.tuple([z.string().regex(/^[0-9a-f]{64}:\d+$/), zBytes(32)])).max(RATCHET_MAX_SKIPPED_KEYS),
    p: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(RATCHET_MAX_PREVIOUS_CHAINS),
    ad: zBytes(),
  })
  .strict();
