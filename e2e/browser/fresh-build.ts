/**
 * Makes sure `out/` holds a build of the current sources (`npm run build`), building only when a
 * source is newer than the last build. Test files call `ensureFreshBuild()`; the check and the
 * build run under one file lock so parallel test files never build into `out/` at once.
 * Run directly (`tsx e2e/browser/fresh-build.ts`) it is the locked part.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT_DIR = path.join(REPO_ROOT, 'out');
const STAMP = path.join(OUT_DIR, '.build-stamp');
const LOCK = path.join(tmpdir(), `wardline-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`);
const INPUTS = ['src', 'electron.vite.config.ts', 'package.json'];

function newestInput(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return /\.test\.ts$/.test(entry) ? 0 : stats.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestInput(path.join(entry, name)));
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.every((input) => newestInput(path.join(REPO_ROOT, input)) <= built);
}

function buildIfStale(): void {
  if (isFresh()) return;
  const result = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  writeFileSync(STAMP, new Date().toISOString());
}

export function ensureFreshBuild(): void {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const result = spawnSync('flock', [LOCK, tsx, fileURLToPath(import.meta.url)], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`build for the end-to-end tests failed:\n${result.stdout}\n${result.stderr}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale();
