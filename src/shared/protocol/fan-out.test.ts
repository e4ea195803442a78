import { describe, expect, it } from 'vitest';
import { bytesToUtf8, utf8ToBytes } from '../bytes';
import { FakeClock } from '../clock';
import { ProtocolError } from '../errors';
import { decodeSealedEnvelope } from './sealed-envelope';
import { devicesNeedingBundles, fanOut, fanOutTargets } from './fan-out';
import type { DeviceId } from './ids';
import type { PrekeyBundle } from './prekeys';
import { createTestAccount, directoryOf, type TestAccount } from './test-accounts';

function world() {
  const clock = new FakeClock();
  const me = createTestAccount(['phone', 'desktop'], { clock });
  const ward = createTestAccount(['phone', 'desktop'], { clock });
  const pharmacy = createTestAccount(['phone', 'desktop'], { clock });
  return { clock, me, ward, pharmacy, directory: directoryOf(me, ward, pharmacy) };
}

function bundlesFor(...accounts: TestAccount[]): Map<DeviceId, PrekeyBundle> {
  return new Map(accounts.flatMap((a) => a.devices.map((d) => [d.keys.deviceId, d.nextBundle()] as const)));
}

describe('fan-out', () => {
  it('targets every recipient device and every own device except the sender, once each', () => {
    const { me, ward } = world();
    const desk = me.devices[1]!;
    const targets = fanOutTargets([ward, me, ward].map((a) => a.list), me.list, desk.keys.deviceId);
    expect(targets.map((t) => t.certificate.deviceId).sort()).toEqual(
      [...ward.devices, me.devices[0]!].map((d) => d.keys.deviceId).sort(),
    );
    const outsider = createTestAccount(['desktop']).devices[0]!;
    expect(() => fanOutTargets([ward.list], me.list, outsider.keys.deviceId)).toThrow(ProtocolError);
  });

  it('sends to 2 accounts × 2 devices plus the own phone, each of which reads it', async () => {
    const { me, ward, pharmacy, directory } = world();
    const desk = me.devices[1]!;
    const lists = { recipients: [ward.list, pharmacy.list], own: me.list };

    expect(await devicesNeedingBundles(desk.cipher, lists.recipients, lists.own)).toHaveLength(5);
    const withoutBundles = await fanOut(desk.cipher, lists, utf8ToBytes('nothing yet'));
    expect(withoutBundles.envelopes).toHaveLength(0);
    expect(withoutBundles.needBundle).toHaveLength(5);

    const first = await fanOut(desk.cipher, lists, utf8ToBytes('Theatre 3 ready'), { bundles: bundlesFor(me, ward, pharmacy) });
    expect(first.needBundle).toHaveLength(0);
    expect(first.envelopes).toHaveLength(5);
    const receivers = [...ward.devices, ...pharmacy.devices, me.devices[0]!];
    for (const r of receivers) {
      const env = first.envelopes.find((e) => e.deviceId === r.keys.deviceId);
      expect(env).toBeDefined();
      expect(decodeSealedEnvelope(env!.bytes).id).toBe(env!.envelopeId);
      const got = await r.cipher.decrypt(env!.bytes, directory);
      expect(bytesToUtf8(got.plaintext)).toBe('Theatre 3 ready');
      expect(got.senderDeviceId).toBe(desk.keys.deviceId);
    }

    expect(await devicesNeedingBundles(desk.cipher, lists.recipients, lists.own)).toHaveLength(0);
    const second = await fanOut(desk.cipher, lists, utf8ToBytes('second'));
    expect(second.envelopes).toHaveLength(5);
    for (const env of second.envelopes) {
      const r = receivers.find((d) => d.keys.deviceId === env.deviceId)!;
      expect(bytesToUtf8((await r.cipher.decrypt(env.bytes, directory)).plaintext)).toBe('second');
    }
  });

  it('refuses an own device list of another account', async () => {
    const { me, ward } = world();
    await expect(fanOut(me.devices[0]!.cipher, { recipients: [], own: ward.list }, utf8ToBytes('x'))).rejects.toMatchObject({
      code: 'IDENTITY_MISMATCH',
    });
  });
});
