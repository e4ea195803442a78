/**
 * Attachment transfers whose last attempt failed, by message id, for the "not sent / not
 * received" mark with its Retry button. Filled from the core's `attachment.transfer` events and,
 * once, from `attachments.failures` (a reload must not forget a failure).
 */
import { reactive } from 'vue';
import type { AttachmentTransfer } from '../../shared/api';
import { useWardline } from '../api';

const failures = reactive(new Map<string, AttachmentTransfer>());
let watching = false;

export function applyTransfer(map: Map<string, AttachmentTransfer>, transfer: AttachmentTransfer): void {
  if (transfer.state === 'done') map.delete(transfer.messageId);
  else map.set(transfer.messageId, transfer);
}

export function useTransferFailures(): ReadonlyMap<string, AttachmentTransfer> {
  if (!watching) {
    watching = true;
    const api = useWardline();
    api.on('attachment.transfer', (transfer) => applyTransfer(failures, transfer));
    api
      .call('attachments.failures', {})
      .then((list) => {
        for (const transfer of list) if (!failures.has(transfer.messageId)) failures.set(transfer.messageId, transfer);
      })
      .catch(() => undefined);
  }
  return failures;
}
