/**
 * `npm start`: builds the app if needed, starts a local relay, then opens the Electron app
 * against it. Where the Electron binary is not installed (offline build hosts install with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1), the same app is served to a browser by the loopback web
 * host instead, so the command still gives a working app.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForLine } from './child-output';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = process.env.WARDLINE_DATA ?? path.join(root, '.data');
const children: ChildProcess[] = [];

function tsx(script: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout?.pipe(process.stdout);
  return child;
}

function electronBinary(): string | undefined {
  // Read what electron's installer recorded instead of require('electron'): requiring it without
  // the binary starts a download, which fails noisily on offline machines.
  const packageDir = path.join(root, 'node_modules/electron');
  const recorded = path.join(packageDir, 'path.txt');
  if (!existsSync(recorded)) return undefined;
  const binary = path.join(packageDir, 'dist', readFileSync(recorded, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function buildIsStale(): boolean {
  const built = path.join(root, 'out/renderer/index.html');
  if (!existsSync(built)) return true;
  // Any source file newer than the last build means the build is stale.
  const newer = spawnSync('find', ['src', 'electron.vite.config.ts', '-newer', built, '-print', '-quit'], { cwd: root, encoding: 'utf8' });
  return newer.status !== 0 || newer.stdout.trim() !== '';
}

function shutdown(code: number): never {
  for (const child of children) child.kill('SIGTERM');
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));

  if (buildIsStale()) {
    console.log('Building the app (electron-vite build)…');
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) shutdown(build.status ?? 1);
  }

  mkdirSync(dataRoot, { recursive: true });
  const relay = tsx('server/cli.ts', ['--port', process.env.WARDLINE_RELAY_PORT ?? '0', '--data', path.join(dataRoot, 'relay'), '--log-level', 'warn']);
  const relayLine = await waitForLine(relay, /listening on (ws:\/\/\S+)/, 30_000);
  const relayUrl = relayLine[1]!;

  const electron = electronBinary();
  if (electron) {
    const app = spawn(electron, [root], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, WARDLINE_RELAY_URL: relayUrl },
    });
    children.push(app);
    app.on('exit', (code) => shutdown(code ?? 0));
  } else {
    console.log('\nThe Electron binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD); serving the same app to your browser instead.');
    const host = tsx('src/web-host/cli.ts', ['--relay', relayUrl, '--data', path.join(dataRoot, 'desktop')]);
    await waitForLine(host, /(http:\/\/127\.0\.0\.1:\d+\/\S*)/, 30_000);
    host.on('exit', (code) => shutdown(code ?? 1));
  }

  console.log(`
To pair, play the phone with the companion phone in another terminal:
  npm run phone -- create --name "Dr. Jansen" --relay ${relayUrl} --data ${path.join(dataRoot, 'phone')}
  npm run phone -- pair 'wardline://…' --data ${path.join(dataRoot, 'phone')}
(the link appears under "Show the pairing link" below the QR code)
Press Ctrl+C to stop.`);
  relay.on('exit', (code) => {
    console.error(`relay stopped (${code ?? 'signal'})`);
    shutdown(1);
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  shutdown(1);
});
