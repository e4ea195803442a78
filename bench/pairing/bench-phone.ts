/**
 * A minimal phone for the pairing benchmark: a real account with its phone device registered at
 * the relay, which links desktops by signing and publishing a new device list. Only the newest
 * desktop is kept in the list (the bench pairs many times; an account holds at most 16 devices).
 */
import WebSocket from 'ws';
import { systemClock } from '../../src/shared/clock';
import { createCertifiedDevice } from '../../src/shared/protocol/device-certificate';
import { signDeviceList } from '../../src/shared/protocol/device-list';
import { createAccountIdentity } from '../../src/shared/protocol/identity';
import type { PhonePairingAccount } from '../../src/shared/protocol/pairing';
import { relayAuthSigner } from '../../src/shared/wire/relay-auth';
import { RelayClient } from '../../src/shared/wire/relay-client';

export interface BenchPhone {
  readonly client: RelayClient;
  readonly pairing: PhonePairingAccount;
  close(): void;
}

export const connectWs = (url: string) => new WebSocket(url, { perMessageDeflate: false });

export async function createBenchPhone(relayUrl: string): Promise<BenchPhone> {
  const account = createAccountIdentity();
  const { keys: device, certificate: phoneCert } = createCertifiedDevice(account, 'phone', 'bench phone', systemClock.now());
  let version = 1;
  const client = await RelayClient.connect({ url: relayUrl, connect: connectWs });
  await client.publishDeviceList(signDeviceList(account, version, [phoneCert], systemClock.now()));
  await client.authenticate(account.accountId, device.deviceId, relayAuthSigner(device.signing.secretKey));
  const databaseKeys = new Map<string, Uint8Array>();
  const pairing: PhonePairingAccount = {
    account,
    profile: { displayName: 'Bench Nurse', profession: 'Nurse' },
    async linkDesktop(_desktop, certificate) {
      const list = signDeviceList(account, ++version, [phoneCert, certificate], systemClock.now());
      await client.publishDeviceList(list);
      return list;
    },
    async unlinkDesktop() {
      await client.publishDeviceList(signDeviceList(account, ++version, [phoneCert], systemClock.now()));
    },
    databaseKeyFor: (workstationId) => databaseKeys.get(workstationId),
    rememberDatabaseKey: (workstationId, key) => {
      databaseKeys.set(workstationId, key.slice());
      return Promise.resolve();
    },
    snapshot: () => ({ contacts: [], messages: [] }),
  };
  return { client, pairing, close: () => client.close() };
}
