// electron-vite: main (ESM, out/main/index.js), preload (CommonJS, out/preload/index.cjs) and
// the renderer (renderer/ -> out/renderer), which is the same app vite.web.config.ts builds.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { netwrightAssets, PREBUNDLED_DEPS } from './scripts/vite-assets.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: { input: { index: resolve(root, 'electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads are loaded as classic scripts: CommonJS, one self-contained file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue(), netwrightAssets()],
    resolve: { alias: { '@': resolve(root, 'renderer/src') } },
    worker: { format: 'es' },
    optimizeDeps: { include: PREBUNDLED_DEPS },
    build: {
      outDir: resolve(root, 'out/renderer'),
      chunkSizeWarningLimit: 4000,
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
    // Dev server: cross-origin isolation like app:// (main also adds these, plus the CSP).
    server: {
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  },
});
