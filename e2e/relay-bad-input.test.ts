import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeCbor } from '../src/shared/protocol/codec';
import { signDeviceList } from '../src/shared/protocol/device-list';
import { encodeSealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { newEnvelopeId } from '../src/shared/protocol/ids';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { decodeRelayFrame, type RelayFrame } from '../src/shared/wire/frames';
import { relayAuthBody } from '../src/shared/wire/relay-auth';
import { sign } from '../src/shared/protocol/signing';
import { closed, connectDevice, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ args: ['--auth-timeout-ms', '800', '--rate', '200', '--burst', '200'] });
});
afterAll(async () => {
  await relay.stop();
});

/** A bare ws connection that records every relay frame and the close code. */
async function rawSocket() {
  const ws = new WebSocket(relay.url);
  const frames: RelayFrame[] = [];
  const closedWith = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data: Buffer) => frames.push(decodeRelayFrame(new Uint8Array(data))));
  await new Promise((resolve) => ws.once('open', resolve));
  const waitFrame = async (predicate: (f: RelayFrame) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const f = frames.find(predicate);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no such frame');
  };
  return { ws, frames, closedWith, waitFrame };
}

async function stillServing() {
  const health = await relay.health();
  expect(health.status).toBe('ok');
  const account = new TestAccount();
  const phone = account.addDevice('phone');
  const c = await openClient(relay.url);
  await c.publishDeviceList(account.nextList());
  c.close();
  const client = await connectDevice(relay.url, account, phone);
  expect(await client.send(sealedEnvelope(phone.keys.deviceId).bytes)).toMatch(/stored|delivered/);
  client.close();
}

describe('bad input (real relay process)', () => {
  it('garbage bytes: error frame, close 4400', async () => {
    const s = await rawSocket();
    s.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x42]));
    expect(await s.closedWith).toBe(CLOSE_CODES.MALFORMED);
    expect(s.frames.some((f) => f.t === 'err' && f.c === 'MALFORMED')).toBe(true);
    await stillServing();
  });

  it('a text frame: close 4400', async () => {
    const s = await rawSocket();
    s.ws.send('hello');
    expect(await s.closedWith).toBe(CLOSE_CODES.MALFORMED);
  });

  it('an oversized frame: closed by the size limit (1009)', async () => {
    const s = await rawSocket();
    s.ws.send(new Uint8Array(300 * 1024));
    expect(await s.closedWith).toBe(CLOSE_CODES.TOO_LARGE);
    await stillServing();
  });

  it('wrong field types and unknown frame types: error under the request id, connection stays', async () => {
    const s = await rawSocket();
    s.ws.send(encodeCbor({ v: 1, t: 'send', r: 5, e: 'not bytes' }));
    s.ws.send(encodeCbor({ v: 1, t: 'bogus', r: 6 }));
    s.ws.send(encodeCbor({ v: 1, t: 'get-device-list', r: 7, a: 'NOT-AN-ID' }));
    expect(await s.waitFrame((f) => f.t === 'err' && f.r === 5)).toMatchObject({ c: 'MALFORMED' });
    expect(await s.waitFrame((f) => f.t === 'err' && f.r === 6)).toMatchObject({ c: 'MALFORMED' });
    expect(await s.waitFrame((f) => f.t === 'err' && f.r === 7)).toMatchObject({ c: 'MALFORMED' });
    s.ws.send(encodeCbor({ v: 1, t: 'get-device-list', r: 8, a: new TestAccount().accountId }));
    expect(await s.waitFrame((f) => f.t === 'ok' && f.r === 8)).toMatchObject({ x: { l: null } });
    s.ws.close();
  });

  it('an unknown frame version: UNSUPPORTED_VERSION, close 4406', async () => {
    const s = await rawSocket();
    s.ws.send(encodeCbor({ v: 2, t: 'auth', r: 1 }));
    expect(await s.closedWith).toBe(CLOSE_CODES.UNSUPPORTED_VERSION);
    expect(s.frames.find((f) => f.t === 'err')).toMatchObject({ r: 1, c: 'UNSUPPORTED_VERSION' });
  });

  it('an envelope of an unknown version or a malformed envelope is refused', async () => {
    const account = new TestAccount();
    const phone = account.addDevice('phone');
    const c = await openClient(relay.url);
    await c.publishDeviceList(account.nextList());
    const client = await connectDevice(relay.url, account, phone);
    const v2 = encodeCbor({ v: 2, to: phone.keys.deviceId, id: newEnvelopeId(), t: 1, x: 2, c: new Uint8Array(1) });
    await expect(client.send(v2)).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    await expect(client.send(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'MALFORMED' });
    const backwards = encodeSealedEnvelope({ to: phone.keys.deviceId, id: newEnvelopeId(), sentAt: 10, expiresAt: 5, ciphertext: new Uint8Array(1) });
    await expect(client.send(backwards)).rejects.toMatchObject({ code: 'MALFORMED' });
    client.close();
    c.close();
  });

  it('unauthenticated requests are refused', async () => {
    const c = await openClient(relay.url);
    await expect(c.putSignedPrekey(new Uint8Array(64))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(c.countOneTimePrekeys()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(c.getPrekeyBundles(new TestAccount().accountId)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    c.close();
  });

  it('a bad auth signature, an unknown device, or a signature for another relay: AUTH_FAILED, close 4410', async () => {
    const account = new TestAccount();
    const phone = account.addDevice('phone');
    const c = await openClient(relay.url);
    await c.publishDeviceList(account.nextList());
    c.close();
    const wrongKey = new TestAccount().addDevice('phone').keys.signing.secretKey;

    const bad = await openClient(relay.url);
    const badClosed = closed(bad);
    await expect(bad.authenticate(account.accountId, phone.keys.deviceId, () => sign('relay-auth', new Uint8Array(8), wrongKey.bytes))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
    expect((await badClosed).code).toBe(CLOSE_CODES.AUTH_FAILED);

    const unknown = new TestAccount().addDevice('phone');
    const stranger = await openClient(relay.url);
    await expect(stranger.authenticate(account.accountId, unknown.keys.deviceId, (b) => sign('relay-auth', b, unknown.keys.signing.secretKey.bytes))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });

    // A signature bound to a different relay authority is useless here.
    const s = await rawSocket();
    const challenge = await s.waitFrame((f) => f.t === 'challenge');
    if (challenge.t !== 'challenge') throw new Error('no challenge');
    const body = relayAuthBody(challenge.n, 'evil.example:443', account.accountId, phone.keys.deviceId);
    s.ws.send(encodeCbor({ v: 1, t: 'auth', r: 1, a: account.accountId, d: phone.keys.deviceId, s: sign('relay-auth', body, phone.keys.signing.secretKey.bytes) }));
    expect(await s.closedWith).toBe(CLOSE_CODES.AUTH_FAILED);
    await stillServing();
  });

  it('closes a connection that does not authenticate in time (4408)', async () => {
    const c = await openClient(relay.url);
    expect((await closed(c)).code).toBe(CLOSE_CODES.AUTH_TIMEOUT);
  });

  it('refuses stale, forged and hijacking device lists', async () => {
    const account = new TestAccount();
    account.addDevice('phone');
    const c = await openClient(relay.url);
    const v1 = account.nextList();
    await c.publishDeviceList(v1);
    await expect(c.publishDeviceList(v1)).rejects.toMatchObject({ code: 'STALE_DEVICE_LIST' });
    account.version = 0;
    await expect(c.publishDeviceList(account.nextList())).rejects.toMatchObject({ code: 'STALE_DEVICE_LIST' });

    // A certificate signed by another identity.
    const other = new TestAccount();
    const foreign = other.addDevice('desktop');
    account.devices.push(foreign);
    account.version = 5;
    await expect(c.publishDeviceList(account.nextList())).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    account.devices.pop();

    // A list whose signature was tampered with.
    const good = account.nextList();
    const tampered = new Uint8Array(good);
    tampered[tampered.length - 1]! ^= 1;
    await expect(c.publishDeviceList(tampered)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    await expect(c.publishDeviceList(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'MALFORMED' });

    // Another account listing a device id that already belongs to this one.
    const thief = new TestAccount();
    const stolen = account.devices[0]!.keys;
    thief.addDevice('phone');
    const thiefCert = (await import('../src/shared/protocol/device-certificate')).issueDeviceCertificate(
      thief.identity,
      { deviceId: stolen.deviceId, signingKey: thief.devices[0]!.keys.signing.publicKey, dhKey: stolen.dh.publicKey },
      'desktop',
      'x',
      1,
    );
    await expect(c.publishDeviceList(signDeviceList(thief.identity, 1, [thiefCert], 1))).rejects.toMatchObject({ code: 'BAD_CERTIFICATE' });
    c.close();
  });

  it('answers a flood with RATE_LIMITED, then closes it (4429); others are unaffected', async () => {
    const s = await rawSocket();
    const frame = encodeCbor({ v: 1, t: 'get-device-list', r: 1, a: new TestAccount().accountId });
    for (let i = 0; i < 600; i++) s.ws.send(frame);
    expect(await s.closedWith).toBe(CLOSE_CODES.RATE_LIMITED);
    expect(s.frames.some((f) => f.t === 'err' && f.c === 'RATE_LIMITED')).toBe(true);
    await stillServing();
  });
});
