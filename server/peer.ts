/** A connected socket as the relay's domain modules see it. */
import type { CloseCode } from '../src/shared/wire/close-codes';
import type { RelayFrameBody } from '../src/shared/wire/frames';

export interface Peer {
  /** Per-process connection number, for logs. */
  readonly id: number;
  /** The client address (for per-address limits). */
  readonly address: string;
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  /** `onWritten` runs once the frame has been handed to the operating system. */
  send(frame: RelayFrameBody, onWritten?: () => void): void;
  /** Sends an already encoded frame (the hot path: see hot-frames.ts). */
  sendEncoded(bytes: Uint8Array, onWritten?: () => void): void;
  close(code: CloseCode): void;
}
