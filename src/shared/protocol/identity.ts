/**
 * Key material. The account identity (Ed25519) lives on the phone; every device has its own
 * Ed25519 signing key (relay auth, signed prekeys) and X25519 key (X3DH identity DH).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { wipe } from '../bytes';
import { accountIdFromIdentityKey, newDeviceId, type AccountId, type DeviceId } from './ids';

/** A secret that can be purged when a session ends; reading it after purge is a bug, so it throws. */
export class SecretKey {
  #bytes: Uint8Array | null;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  get bytes(): Uint8Array {
    if (!this.#bytes) throw new Error('secret key used after purge');
    return this.#bytes;
  }
  get purged(): boolean {
    return this.#bytes === null;
  }
  purge(): void {
    if (this.#bytes) wipe(this.#bytes);
    this.#bytes = null;
  }
}

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: SecretKey;
}

export interface AccountIdentity {
  readonly accountId: AccountId;
  /** Ed25519; signs device certificates and device lists. */
  readonly identity: KeyPair;
}

export interface DeviceKeys {
  readonly deviceId: DeviceId;
  /** Ed25519; proves the device to the relay and signs its prekeys. */
  readonly signing: KeyPair;
  /** X25519; the device's long-term Diffie-Hellman key in X3DH. */
  readonly dh: KeyPair;
}

export function generateEd25519(): KeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { publicKey, secretKey: new SecretKey(secretKey) };
}

export function generateX25519(): KeyPair {
  const { secretKey, publicKey } = x25519.keygen();
  return { publicKey, secretKey: new SecretKey(secretKey) };
}

export function createAccountIdentity(): AccountIdentity {
  const identity = generateEd25519();
  return { accountId: accountIdFromIdentityKey(identity.publicKey), identity };
}

export function createDeviceKeys(deviceId: DeviceId = newDeviceId()): DeviceKeys {
  return { deviceId, signing: generateEd25519(), dh: generateX25519() };
}

export function restoreEd25519(secretKey: Uint8Array): KeyPair {
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey: new SecretKey(secretKey) };
}

export function restoreX25519(secretKey: Uint8Array): KeyPair {
  return { publicKey: x25519.getPublicKey(secretKey), secretKey: new SecretKey(secretKey) };
}
