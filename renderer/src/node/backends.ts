// Node-only: the tfjs backends the CLI, the unit tests and the bench train on. Loads the wasm
// backend from the installed package's dist folder (a file path: Emscripten reads it with fs in
// Node), with SIMD; Node gets one XNNPACK thread (tfjs disables wasm threads under Node).
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendLoaders } from '../core/train/backends';
import { registerTrainingKernels } from '../core/train/kernels';

const require = createRequire(import.meta.url);

/** The folder holding tfjs-backend-wasm*.wasm, with a trailing separator. */
export function wasmDistDir(): string {
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return pkg.replace(/package\.json$/, 'dist/');
}

let wasmLoad: Promise<void> | null = null;

/** Imports tfjs-backend-wasm once, points it at its binaries and installs our gradient kernels. */
export function loadWasmBackend(): Promise<void> {
  wasmLoad ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDistDir());
    registerTrainingKernels('wasm');
  })().catch((e) => {
    wasmLoad = null;
    throw e;
  });
  return wasmLoad;
}

/** Threads the wasm backend runs XNNPACK on, once it has been initialised (else undefined). */
export async function wasmThreads(): Promise<number | undefined> {
  if (!tf.findBackend('wasm')) return undefined;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  try {
    return wasm.getThreadsCount();
  } catch {
    return undefined;
  }
}

/** Loaders for chooseBackend() in Node: wasm (fast, with our kernels) and cpu (with ours too). */
export function nodeLoaders(): BackendLoaders {
  return {
    wasm: loadWasmBackend,
    cpu: async () => {
      registerTrainingKernels('cpu');
    },
  };
}

/** Makes `backend` current in Node (loading it first), e.g. `await useNodeBackend('wasm')`. */
export async function useNodeBackend(backend: 'wasm' | 'cpu'): Promise<void> {
  await nodeLoaders()[backend]!();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' failed to initialise`);
  await tf.ready();
}
