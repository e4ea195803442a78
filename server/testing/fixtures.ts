/** Test support: accounts, devices, signed lists, authenticated clients and real sealed envelopes. */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { issueDeviceCertificate, type DeviceKind } from '../../src/shared/protocol/device-certificate';
import { signDeviceList } from '../../src/shared/protocol/device-list';
import { createAccountIdentity, createDeviceKeys, type AccountIdentity, type DeviceKeys } from '../../src/shared/protocol/identity';
import { newEnvelopeId, type DeviceId, type EnvelopeId } from '../../src/shared/protocol/ids';
import { encodeSealedEnvelope } from '../../src/shared/protocol/sealed-envelope';
import { RelayClient } from '../../src/shared/wire/relay-client';
import { relayAuthSigner } from '../../src/shared/wire/relay-auth';

export interface TestDevice {
  readonly keys: DeviceKeys;
  readonly kind: DeviceKind;
  readonly certificate: Uint8Array;
}

export class TestAccount {
  readonly identity: AccountIdentity = createAccountIdentity();
  readonly devices: TestDevice[] = [];
  version = 0;

  get accountId() {
    return this.identity.accountId;
  }

  addDevice(kind: DeviceKind, issuedAt = Date.now()): TestDevice {
    const keys = createDeviceKeys();
    const certificate = issueDeviceCertificate(
      this.identity,
      { deviceId: keys.deviceId, signingKey: keys.signing.publicKey, dhKey: keys.dh.publicKey },
      kind,
      kind === 'phone' ? 'Phone' : 'Ward desk',
      issuedAt,
    );
    const device = { keys, kind, certificate };
    this.devices.push(device);
    return device;
  }

  removeDevice(deviceId: DeviceId): void {
    const i = this.devices.findIndex((d) => d.keys.deviceId === deviceId);
    if (i >= 0) this.devices.splice(i, 1);
  }

  /** The next signed device list (version + 1) with the current devices. */
  nextList(): Uint8Array {
    this.version += 1;
    return signDeviceList(this.identity, this.version, this.devices.map((d) => d.certificate), Date.now());
  }
}

export function openClient(url: string): Promise<RelayClient> {
  return RelayClient.connect({ url, connect: (u) => new WebSocket(u), requestTimeoutMs: 10_000 });
}

export async function connectDevice(url: string, account: TestAccount, device: TestDevice): Promise<RelayClient> {
  const client = await openClient(url);
  await client.authenticate(account.accountId, device.keys.deviceId, relayAuthSigner(device.keys.signing.secretKey));
  return client;
}

export function sealedEnvelope(
  to: DeviceId,
  options: { id?: EnvelopeId; sentAt?: number; ttlMs?: number; size?: number } = {},
): { id: EnvelopeId; bytes: Uint8Array } {
  const id = options.id ?? newEnvelopeId();
  const sentAt = options.sentAt ?? Date.now();
  return {
    id,
    bytes: encodeSealedEnvelope({ to, id, sentAt, expiresAt: sentAt + (options.ttlMs ?? 86_400_000), ciphertext: randomBytes(options.size ?? 64) }),
  };
}

/** Collects pushed envelopes; `next(n)` waits until n more have arrived. */
export class Inbox {
  readonly received: { id: EnvelopeId; envelope: Uint8Array }[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(client: RelayClient, autoAck = true) {
    client.on('envelope', (e) => {
      this.received.push(e);
      if (autoAck) client.ack(e.id);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.received.length >= w.count) w.resolve();
        return this.received.length < w.count;
      });
    });
  }

  waitFor(total: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= total) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inbox: ${this.received.length}/${total} envelopes`)), timeoutMs);
      this.#waiters.push({
        count: total,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** Resolves with the close code the relay sends. */
export function closed(client: RelayClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.on('close', resolve));
}
