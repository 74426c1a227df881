// Renderer-only Vite config: the same app as the Electron renderer, served to a browser.
// `npm run web` (dev server) and the end-to-end tests (built + `vite preview`) use it.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const __dirname = fileURLToPath(new URL('.', import.meta.url));
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { netwrightAssets, PREBUNDLED_DEPS } from './scripts/vite-assets.ts';

/**
 * Cross-origin isolation, so tfjs-backend-wasm can use threads (SharedArrayBuffer). Vite sends
 * server.headers / preview.headers on every response, including the worker scripts' own (a
 * worker without them never starts) and the .wasm files (served as application/wasm by
 * netwrightAssets). The CSP is the desktop app's (electron/main/security.ts): 'wasm-unsafe-eval'
 * for WebAssembly, blob: in script-src and worker-src for tfjs's wasm helper workers. The dev
 * server adds inline scripts and a websocket, so it gets no CSP.
 */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const PREVIEW_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export default defineConfig({
  root: resolve(__dirname, 'renderer'),
  base: './',
  plugins: [vue(), netwrightAssets()],
  resolve: { alias: { '@': resolve(__dirname, 'renderer/src') } },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its pthreads from `threadedFactory.toString()`; minifying that
    // function (oxc compress) breaks it ("e is not defined" in the helper workers). Worker
    // bundles are mangled only.
    rolldownOptions: { output: { minify: { compress: false, mangle: true } } },
  },
  optimizeDeps: { include: PREBUNDLED_DEPS },
  build: {
    outDir: resolve(__dirname, 'dist-web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  server: { port: 5173, strictPort: false, host: 'localhost', headers: ISOLATION },
  preview: { port: 4173, strictPort: false, host: 'localhost', headers: { ...ISOLATION, 'Content-Security-Policy': PREVIEW_CSP } },
});
