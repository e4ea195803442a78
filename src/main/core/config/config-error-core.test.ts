import { describe, expect, it } from 'vitest';
import { zAppState } from '../../../shared/api';
import { dispatchApiCall } from '../api/dispatch';
import { createCoreLogger } from '../logging';
import { createConfigErrorCore } from './config-error-core';

describe('the core of a workstation with a bad configuration', () => {
  it('reports phase error with the configuration code, and refuses everything else', async () => {
    const core = createConfigErrorCore('CONFIG_UNKNOWN_KEY');
    const log = createCoreLogger({ level: 'silent' });
    const state = await dispatchApiCall(core.handlers, 'app.getState', {}, log);
    expect(state.ok && zAppState.parse(state.value)).toMatchObject({ phase: 'error', errorCode: 'CONFIG_UNKNOWN_KEY' });
    const pairing = await dispatchApiCall(core.handlers, 'pairing.start', {}, log);
    expect(pairing).toMatchObject({ ok: false, error: { code: 'NOT_PAIRED' } });
    await core.close();
  });
});
