import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCoreLogger } from './logging';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createCoreLogger({ destination, level: 'debug' }) };
}

describe('core logger', () => {
  it('censors every content-bearing field, nested or not', async () => {
    const { lines, log } = capture();
    const planted = 'PLANTED-patient-Jansen-bed-12';
    log.info({ body: planted, text: planted, pin: '13579', nested: { displayName: planted, key: planted }, messageId: 'm1' }, 'message stored');
    log.warn({ query: planted, confirmationCode: '123456', url: `wardline://p/${planted}` }, 'search');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(planted);
      expect(line).not.toContain('13579');
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ messageId: 'm1', body: '[censored]', svc: 'wardline-core' });
  });
});
