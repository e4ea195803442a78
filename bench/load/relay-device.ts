/**
 * A device of the real relay. Registration and authentication go through the product's
 * RelayClient (device list publish, challenge, signed relay-auth). After that the hot path is
 * a lean loop over the same wire frames (lean-relay-frames.ts: frames written and read in place,
 * no schema validation), acking each delivery at once. Real devices validate every frame; the load generator shares the CPU with the
 * server, so its own cost is kept small to measure the relay rather than the generator.
 */
import { decode } from 'cborg';
import WebSocket from 'ws';
import { bytesToHex, hexToBytes } from '../../src/shared/bytes';
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';
import { encodeClientFrame } from '../../src/shared/wire/frames';
import { relayAuthSigner } from '../../src/shared/wire/relay-auth';
import { RelayClient } from '../../src/shared/wire/relay-client';
import type { FleetDevice } from './device-fleet';
import { deliveredIdAt, isOkFrame, leanAckFrame, leanSendFrame, seqAt } from './lean-relay-frames';
import type { DeliverySink, LoadDevice } from './load-device';

const ENVELOPE_LIFETIME_MS = 60 * 60 * 1000;
/** Envelope ids carry the sequence number in their last 8 hex digits so recipients need no lookup table. */
const RUN_PREFIX = bytesToHex(crypto.getRandomValues(new Uint8Array(12)));

export function envelopeIdFor(seq: number): EnvelopeId {
  return (RUN_PREFIX + (seq >>> 0).toString(16).padStart(8, '0')) as EnvelopeId;
}

export function seqOf(id: string): number {
  return Number.parseInt(id.slice(24), 16);
}

interface LeanFrame {
  t?: unknown;
  i?: unknown;
  c?: unknown;
}

export class RelayDevice implements LoadDevice {
  readonly address: Uint8Array;
  #nextRequest = 1;

  private constructor(
    readonly deviceId: DeviceId,
    private readonly ws: WebSocket,
    private readonly ciphertext: Uint8Array,
  ) {
    this.address = hexToBytes(deviceId);
  }

  /** Connects, publishes the account's device list (first device of each account) and authenticates. */
  static async connect(url: string, fleet: FleetDevice, ciphertext: Uint8Array, sink: DeliverySink): Promise<RelayDevice> {
    let ws: WebSocket | undefined;
    const client = await RelayClient.connect({
      url,
      connect: (u) => (ws = new WebSocket(u, { perMessageDeflate: false })),
      requestTimeoutMs: 60_000,
    });
    if (fleet.publishesList) await client.publishDeviceList(fleet.deviceList);
    await client.authenticate(fleet.accountId, fleet.deviceId, relayAuthSigner(fleet.signingKey));
    const socket = ws!;
    const device = new RelayDevice(fleet.deviceId, socket, ciphertext);
    socket.onmessage = null;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer) => device.#onFrame(data, sink));
    socket.on('close', (code) => sink.closed(code));
    return device;
  }

  #onFrame(data: Buffer, sink: DeliverySink): void {
    const idAt = deliveredIdAt(data);
    if (idAt !== undefined) {
      this.ws.send(leanAckFrame(data, idAt));
      sink.delivered(seqAt(data, idAt));
      return;
    }
    if (isOkFrame(data)) return sink.sendAnswered(undefined);
    const frame = decode(data, { useMaps: false }) as LeanFrame;
    switch (frame.t) {
      case 'deliver':
        if (typeof frame.i !== 'string') return;
        this.ws.send(encodeClientFrame({ t: 'ack', i: frame.i as EnvelopeId }));
        sink.delivered(seqOf(frame.i));
        return;
      case 'ok':
        sink.sendAnswered(undefined);
        return;
      case 'err':
        sink.sendAnswered(typeof frame.c === 'string' ? frame.c : 'UNKNOWN');
        return;
      default:
        return;
    }
  }

  /** The encoded `send` frame for one envelope (also used to size the bare forwarder's frames). */
  static sendFrame(to: DeviceId, seq: number, ciphertext: Uint8Array, r: number): Uint8Array {
    const now = Date.now();
    return leanSendFrame({ to, id: envelopeIdFor(seq), sentAt: now, expiresAt: now + ENVELOPE_LIFETIME_MS, ciphertext, requestId: r });
  }

  send(to: LoadDevice, seq: number): void {
    this.sendTo(to.deviceId, seq);
  }

  sendTo(to: DeviceId, seq: number): void {
    this.ws.send(RelayDevice.sendFrame(to, seq, this.ciphertext, this.#nextRequest++));
  }

  close(): void {
    // A close we asked for is not a failure of the run.
    this.ws.removeAllListeners('close');
    this.ws.terminate();
  }
}
