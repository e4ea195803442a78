/** Test support: a Peer that records the envelopes delivered to it and the codes it was closed with. */
import type { EnvelopeId } from '../../src/shared/protocol/ids';
import type { CloseCode } from '../../src/shared/wire/close-codes';
import { decodeRelayFrame } from '../../src/shared/wire/frames';
import type { Peer } from '../peer';

export class RecordingPeer implements Peer {
  readonly id = 1;
  readonly address = '127.0.0.1';
  readonly bufferedAmount = 0;
  isOpen = true;
  readonly delivered: EnvelopeId[] = [];
  readonly closes: CloseCode[] = [];
  send(): void {}
  sendEncoded(bytes: Uint8Array): void {
    const frame = decodeRelayFrame(bytes);
    if (frame.t === 'deliver') this.delivered.push(frame.i);
  }
  close(code: CloseCode): void {
    this.isOpen = false;
    this.closes.push(code);
  }
}
