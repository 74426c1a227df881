// Renderer-only Vite config: the same app as the Electron renderer, served to a browser.
// `npm run web` (dev server) and the end-to-end tests (built + `vite preview`) use it.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const __dirname = fileURLToPath(new URL('.', import.meta.url));
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { netwrightAssets, PREBUNDLED_DEPS } from './scripts/vite-assets.ts';

export default defineConfig({
  root: resolve(__dirname, 'renderer'),
  base: './',
  plugins: [vue(), netwrightAssets()],
  resolve: { alias: { '@': resolve(__dirname, 'renderer/src') } },
  worker: { format: 'es' },
  optimizeDeps: { include: PREBUNDLED_DEPS },
  build: {
    outDir: resolve(__dirname, 'dist-web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  server: { port: 5173, strictPort: false, host: 'localhost' },
  preview: { port: 4173, strictPort: false, host: 'localhost' },
});
