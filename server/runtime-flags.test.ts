import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_NODE_FLAGS } from './runtime-flags';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the relay is started with the same V8 options everywhere', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const places: [string, string][] = [
    ['npm run relay', scripts.relay ?? ''],
    ['systemd unit', read('deploy/systemd/wardline-relay.service').split('\n').find((l) => l.startsWith('ExecStart=')) ?? ''],
    ['multi-node command in docs/deployment.md', read('docs/deployment.md').split('\n').find((l) => l.includes('server/cli.ts')) ?? ''],
  ];
  it.each(places)('%s', (_where, command) => {
    expect(command).toContain('server/cli.ts');
    for (const flag of RELAY_NODE_FLAGS) expect(command).toContain(flag);
  });
});
