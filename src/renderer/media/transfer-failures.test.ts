import { describe, expect, it } from 'vitest';
import type { AttachmentTransfer } from '../../shared/api';
import { applyTransfer } from './transfer-failures';

describe('transfer failures', () => {
  it('keeps failed and retrying transfers and forgets them once done', () => {
    const map = new Map<string, AttachmentTransfer>();
    applyTransfer(map, { messageId: 'm1', direction: 'upload', state: 'failed', retryable: true });
    applyTransfer(map, { messageId: 'm2', direction: 'download', state: 'failed', retryable: false });
    expect([...map.keys()]).toEqual(['m1', 'm2']);
    applyTransfer(map, { messageId: 'm1', direction: 'upload', state: 'retrying', retryable: true });
    expect(map.get('m1')?.state).toBe('retrying');
    applyTransfer(map, { messageId: 'm1', direction: 'upload', state: 'done', retryable: true });
    expect([...map.keys()]).toEqual(['m2']);
  });
});
