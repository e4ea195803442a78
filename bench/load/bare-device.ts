/**
 * A device of the bare forwarder: hello with its id, then [recipient id][seq u32][filler] frames.
 * Against the acking forwarder it acks every delivery with its seq and counts the forwarded
 * acks as the answers to its sends, as a relay device counts its `ok`s.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { bytesToHex } from '../../src/shared/bytes';
import type { DeviceId } from '../../src/shared/protocol/ids';
import { BARE_ID_BYTES, BARE_SEQ_BYTES } from './bare-frame';
import type { DeliverySink, LoadDevice } from './load-device';

export class BareDevice implements LoadDevice {
  readonly address = new Uint8Array(randomBytes(BARE_ID_BYTES));
  readonly deviceId = bytesToHex(this.address) as DeviceId;

  private constructor(
    private readonly ws: WebSocket,
    private readonly frameBytes: number,
  ) {}

  static connect(url: string, frameBytes: number, sink: DeliverySink, acks = false): Promise<BareDevice> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const device = new BareDevice(ws, frameBytes);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.send(device.address);
        resolve(device);
      });
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => {
        if (data.length === BARE_SEQ_BYTES) return sink.sendAnswered(undefined);
        sink.delivered(data.readUInt32BE(BARE_ID_BYTES));
        if (acks) ws.send(data.subarray(BARE_ID_BYTES, BARE_ID_BYTES + BARE_SEQ_BYTES));
      });
      ws.on('close', (code) => sink.closed(code));
    });
  }

  send(to: LoadDevice, seq: number): void {
    const frame = Buffer.alloc(this.frameBytes);
    frame.set(to.address, 0);
    frame.writeUInt32BE(seq >>> 0, BARE_ID_BYTES);
    this.ws.send(frame);
  }

  close(): void {
    // A close we asked for is not a failure of the run.
    this.ws.removeAllListeners('close');
    this.ws.terminate();
  }
}
