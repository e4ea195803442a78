/** The blob-store requests (all need an authenticated device); results as in zResults. */
import type { ClientFrame } from '../src/shared/wire/frames';
import type { DeviceId } from '../src/shared/protocol/ids';
import type { BlobStore } from './blob-store';

type BlobRequest = Extract<ClientFrame, { t: 'blob-create' | 'blob-put' | 'blob-status' | 'blob-get' }>;

export function handleBlobRequest(blobs: BlobStore, device: DeviceId, frame: BlobRequest): unknown {
  switch (frame.t) {
    case 'blob-create':
      return { b: blobs.create(device, frame.s) };
    case 'blob-put':
      return { n: blobs.put(device, frame.b, frame.o, frame.d) };
    case 'blob-status': {
      const status = blobs.status(frame.b);
      return { n: status.received, s: status.size };
    }
    case 'blob-get': {
      const { data, size } = blobs.read(frame.b, frame.o, frame.n);
      return { d: data, s: size };
    }
  }
}
