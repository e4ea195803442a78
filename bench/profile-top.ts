/**
 * Where a profiled process spent its time:
 *   tsx bench/profile-top.ts FILE.cpuprofile [N] [--from µs --to µs]
 * prints the N functions with the most self time, optionally only between two monotonic
 * timestamps (the relay suite prints the window of each steady and maximum phase when profiling). Profiles come from
 * `npm run bench -- relay --profile DIR` (DIR/relay, DIR/bare and DIR/load-generator; the largest file in
 * each is the main thread).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const zProfile = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }) })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
  startTime: z.number(),
});

const { values, positionals } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } }, allowPositionals: true });
const [file, topArg] = positionals;
const from = values.from ? Number(values.from) : Number.NEGATIVE_INFINITY;
const to = values.to ? Number(values.to) : Number.POSITIVE_INFINITY;
if (!file) {
  console.error('usage: tsx bench/profile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = zProfile.parse(JSON.parse(readFileSync(file, 'utf8')));
const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
const selfUs = new Map<string, number>();
let total = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const f = frames.get(id);
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (!f || at < from || at > to) return;
  const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  total += dt;
});
const top = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30));
for (const [key, us] of top) console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
