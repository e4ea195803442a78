/**
 * Build of the three parts: main (ESM, Node target) → out/main, preload → out/preload as
 * CommonJS (a sandboxed renderer cannot load an ESM preload, and `"type": "module"` would make
 * electron-vite emit ESM), renderer (Vue) → out/renderer with a relative base so the same files
 * are served from `app://wardline/` and from the loopback web host.
 */
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/shared/content-security-policy';

const CSP_META = /<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\s*/gi;

/**
 * The built index.html carries exactly our CSP (one source: src/shared/content-security-policy.ts).
 * Under `npm run dev` the meta is removed instead: the dev server needs inline styles for HMR, and
 * the main process sends the (dev-only) policy as a header.
 */
function strictCspMeta(): Plugin {
  let serving = false;
  return {
    name: 'wardline-csp-meta',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (serving) return html.replace(CSP_META, '');
        const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy({ delivery: 'meta' })}">`;
        const stripped = html.replace(CSP_META, '');
        // After the charset declaration when there is one, and before any script either way.
        return /<meta\s+charset=[^>]*>/i.test(stripped)
          ? stripped.replace(/(<meta\s+charset=[^>]*>)/i, `$1\n    ${meta}`)
          : stripped.replace(/<head([^>]*)>/i, `<head$1>\n    ${meta}`);
      },
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Dependencies (notably the native SQLCipher binding) load from node_modules, unpacked from asar
      // where native (electron-builder.yml).
      externalizeDeps: true,
      rolldownOptions: { input: { index: 'src/main/index.ts' } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only `require` a few Electron modules: bundle everything else.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: 'src/preload/index.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [vue(), strictCspMeta()],
    build: {
      outDir: 'out/renderer',
      rolldownOptions: { input: { index: 'src/renderer/index.html' } },
      // No inline data: URLs for scripts/styles (the CSP forbids inline), and no source maps shipped.
      assetsInlineLimit: 0,
      sourcemap: false,
    },
  },
});
