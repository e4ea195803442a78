import { describe, expect, it } from 'vitest';
import { encodeContent, type MessageContent } from '../../../shared/messages/content';
import { newMessageId } from '../../../shared/messages/message-id';
import type { AccountId, EnvelopeId } from '../../../shared/protocol/ids';
import { newEnvelopeId } from '../../../shared/protocol/ids';
import { createTestAccount } from '../../../shared/protocol/test-accounts';
import { RelayError } from '../../../shared/wire/relay-error';
import { createCoreLogger } from '../logging';
import { DeviceDirectory } from './device-directory';
import { IncomingEnvelopes } from './incoming-envelopes';

function setup(options: { relayDown?: boolean; sinkThrows?: boolean } = {}) {
  const desktop = createTestAccount(['desktop']);
  const sender = createTestAccount(['phone']);
  const trace: string[] = [];
  const directory = new DeviceDirectory(
    {
      getDeviceList: (a: AccountId) => {
        if (options.relayDown) return Promise.reject(new RelayError('CLOSED'));
        return Promise.resolve(a === sender.accountId ? sender.list.encoded : null);
      },
    },
    { pinned: () => undefined, changed: () => undefined },
    { accountId: desktop.accountId, identityKey: desktop.identity.identity.publicKey, list: desktop.list },
  );
  const incoming = new IncomingEnvelopes({
    cipher: desktop.devices[0]!.cipher,
    directory,
    sink: {
      apply: (content: MessageContent) => {
        if (options.sinkThrows) throw new Error('disk full');
        trace.push(`stored:${content.kind}`);
      },
    },
    ack: (id: EnvelopeId) => trace.push(`ack:${id}`),
    log: createCoreLogger({ level: 'silent' }),
  });
  const target = desktop.devices[0]!;
  const envelope = (body: string) =>
    sender.devices[0]!.cipher.encrypt(
      { accountId: desktop.accountId, certificate: target.certificate, bundle: target.nextBundle() },
      encodeContent({ kind: 'text', id: newMessageId(), to: desktop.accountId, body, sentAt: 1 }),
    );
  return { incoming, trace, envelope };
}

describe('IncomingEnvelopes', () => {
  it('stores first and acks after; a replay is acked without being stored again', async () => {
    const { incoming, trace, envelope } = setup();
    const bytes = await envelope('hello');
    const id = newEnvelopeId();
    await incoming.receive(id, bytes);
    expect(trace).toEqual(['stored:text', `ack:${id}`]);
    await incoming.receive(id, bytes);
    expect(trace).toEqual(['stored:text', `ack:${id}`, `ack:${id}`]);
  });

  it('acks and drops what can never be read (garbage, tampered)', async () => {
    const { incoming, trace, envelope } = setup();
    const tampered = await envelope('x');
    tampered[tampered.length - 3]! ^= 1;
    await incoming.receive('a'.repeat(32) as EnvelopeId, new Uint8Array([0xa0]));
    await incoming.receive('b'.repeat(32) as EnvelopeId, tampered);
    expect(trace).toEqual([`ack:${'a'.repeat(32)}`, `ack:${'b'.repeat(32)}`]);
  });

  it('leaves an envelope un-acked when the sender cannot be checked right now (relay down)', async () => {
    const { incoming, trace, envelope } = setup({ relayDown: true });
    await incoming.receive(newEnvelopeId(), await envelope('later'));
    expect(trace).toEqual([]);
  });

  it('after stop, nothing more is handled or acked', async () => {
    const { incoming, trace, envelope } = setup();
    incoming.stop();
    await incoming.receive(newEnvelopeId(), await envelope('late'));
    expect(trace).toEqual([]);
  });
});
