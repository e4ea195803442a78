/**
 * Test support: what a send's result may say. The recipient may acknowledge before `send`
 * returns, so "sent" and "delivered" both mean the message left the device.
 */
import { expect } from 'vitest';

export const SENT_OR_DELIVERED: unknown = expect.stringMatching(/^(sent|delivered)$/);
