import { describe, expect, it } from 'vitest';
import type { WardlineBridge } from '../shared/api';
import { ApiCallError, createWardlineClient, errorCodeOf } from './api';
import { routeError } from './fatal-error';

function bridgeAnswering(answer: () => Promise<unknown>): WardlineBridge {
  return {
    call: (() => answer()) as WardlineBridge['call'],
    on: () => () => undefined,
  };
}

describe('createWardlineClient', () => {
  it('unwraps a successful result into its value', async () => {
    const client = createWardlineClient(bridgeAnswering(() => Promise.resolve({ ok: true, value: [] })));
    await expect(client.call('conversations.list', {})).resolves.toEqual([]);
  });

  it('turns an error result into an ApiCallError with the code and method', async () => {
    const client = createWardlineClient(bridgeAnswering(() => Promise.resolve({ ok: false, error: { code: 'LOCKED', detail: 'phase' } })));
    const error = await client.call('messages.send', { conversationId: 'c', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'LOCKED', method: 'messages.send', detail: 'phase' });
    // The message carries the code only, never what was sent.
    expect((error as Error).message).not.toContain('x"');
  });

  it('reports a missing or failing bridge as BRIDGE_UNAVAILABLE', async () => {
    await expect(createWardlineClient(undefined).call('app.getState', {})).rejects.toMatchObject({ code: 'BRIDGE_UNAVAILABLE' });
    const throwing = createWardlineClient(bridgeAnswering(() => Promise.reject(new Error('socket closed'))));
    await expect(throwing.call('app.getState', {})).rejects.toMatchObject({ code: 'BRIDGE_UNAVAILABLE' });
    expect(createWardlineClient(undefined).on('state.changed', () => undefined)).toBeTypeOf('function');
  });
});

describe('error routing', () => {
  it('maps anything to a code', () => {
    expect(errorCodeOf(new ApiCallError('NOT_FOUND'))).toBe('NOT_FOUND');
    expect(errorCodeOf(new TypeError('boom'))).toBe('UNEXPECTED');
    expect(errorCodeOf('string')).toBe('UNEXPECTED');
  });
  it('shows API failures as notices and everything else, including a lost bridge, as the error view', () => {
    expect(routeError(new ApiCallError('RELAY_UNAVAILABLE'))).toMatchObject({ kind: 'notice' });
    expect(routeError(new ApiCallError('BRIDGE_UNAVAILABLE'))).toEqual({ kind: 'fatal', code: 'BRIDGE_UNAVAILABLE' });
    expect(routeError(new TypeError('x is undefined'))).toEqual({ kind: 'fatal', code: 'UNEXPECTED' });
  });
});
