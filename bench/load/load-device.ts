import type { DeviceId } from '../../src/shared/protocol/ids';

/** What the load driver needs of a connected device, whichever server it talks to. */
export interface DeliverySink {
  /** An envelope with sequence number `seq` reached this device. */
  delivered(seq: number): void;
  /** The server answered a send (relay only): `code` is undefined for ok, else the error code. */
  sendAnswered(code: string | undefined): void;
  /** A connection closed while the run was on (counts against the run). */
  closed(code: number): void;
}

export interface LoadDevice {
  readonly deviceId: DeviceId;
  /** The same id as 16 raw bytes (the bare forwarder addresses by these). */
  readonly address: Uint8Array;
  send(to: LoadDevice, seq: number): void;
  close(): void;
}
