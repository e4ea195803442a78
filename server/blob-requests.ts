/** The blob-store requests (all need an authenticated device); results as in zResults. */
import type { ClientFrame } from '../src/shared/wire/frames';
import type { DeviceId } from '../src/shared/protocol/ids';
import type { BlobService } from './stores/blob-service';
import type { MaybePromise } from './stores/directory-store';

type BlobRequest = Extract<ClientFrame, { t: 'blob-create' | 'blob-put' | 'blob-status' | 'blob-get' }>;

/** The embedded store answers at once; a shared index (Redis) answers with a promise. */
function shaped<T>(value: MaybePromise<T>, shape: (v: T) => unknown): MaybePromise<unknown> {
  return value instanceof Promise ? value.then(shape) : shape(value);
}

export function handleBlobRequest(blobs: BlobService, device: DeviceId, frame: BlobRequest): MaybePromise<unknown> {
  switch (frame.t) {
    case 'blob-create':
      return shaped(blobs.create(device, frame.s), (b) => ({ b }));
    case 'blob-put':
      return shaped(blobs.put(device, frame.b, frame.o, frame.d), (n) => ({ n }));
    case 'blob-status':
      return shaped(blobs.status(frame.b), (status) => ({ n: status.received, s: status.size }));
    case 'blob-get':
      return shaped(blobs.read(frame.b, frame.o, frame.n), ({ data, size }) => ({ d: data, s: size }));
  }
}
