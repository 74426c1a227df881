// Backend selection: try each backend in order and keep the first one that can actually train
// the user's model. "Can initialise" is not enough — wasm initialises fine and then lacks
// Conv2DBackpropFilter — so each candidate is probed with one real training step.
import * as tf from '@tensorflow/tfjs';
import type { BackendAttempt, BackendName } from './protocol';
import { BACKEND_CHAIN } from './protocol';
import { makeOptimizer, outputsProbabilities, trainableVariables, trainStep } from './step';

/** Makes a backend registrable (imports its package, sets paths). Throws when it cannot exist here. */
export type BackendLoader = () => Promise<void>;
export type BackendLoaders = Partial<Record<BackendName, BackendLoader>>;

/** cpu and webgl ship inside @tensorflow/tfjs: nothing to load. */
export const BUILTIN_LOADERS: BackendLoaders = {
  cpu: async () => {},
  webgl: async () => {},
};

export interface LoaderOptions {
  /** Auto mode: a software WebGPU adapter (SwiftShader) trains ~4× slower than software WebGL. */
  skipSoftwareWebGpu?: boolean;
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { architecture?: string; vendor?: string; description?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** True for CPU-emulated WebGPU adapters (Chromium's SwiftShader fallback). */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter || info.isFallbackAdapter) return true;
  return /swiftshader|software|llvmpipe/i.test(`${info.architecture ?? ''} ${info.vendor ?? ''} ${info.description ?? ''}`);
}

/**
 * Loaders for browsers and workers. The extra backends are dynamic imports so Node (tests) never
 * evaluates them. `wasmBaseUrl` is where tfjs-backend-wasm*.wasm are served (ends with '/').
 */
export function browserLoaders(wasmBaseUrl: string, options: LoaderOptions = {}): BackendLoaders {
  return {
    ...BUILTIN_LOADERS,
    webgpu: async () => {
      const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
      if (!nav?.gpu) throw new Error('WebGPU is not available here (navigator.gpu is missing)');
      if (options.skipSoftwareWebGpu) {
        const adapter = await nav.gpu.requestAdapter();
        if (!adapter) throw new Error('WebGPU has no adapter here');
        if (isSoftwareAdapter(adapter)) {
          throw new Error('WebGPU runs on a software adapter (no GPU): skipped by Auto because WebGL is faster then; choose WebGPU to force it');
        }
      }
      await import('@tensorflow/tfjs-backend-webgpu');
    },
    wasm: async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmBaseUrl);
    },
  };
}

/** Throws when `backend` cannot train: `build` should create the real model on the current backend. */
export type Probe = (backend: BackendName) => Promise<void>;

/** One real training step (forward, backward, update) on a tiny random batch; disposes everything. */
export async function probeTraining(build: () => tf.LayersModel, batch = 2): Promise<void> {
  const model = build();
  const optimizer = makeOptimizer({ optimizer: 'sgd', learningRate: 1e-3, momentum: 0 });
  try {
    const shape = model.inputs[0].shape.slice(1) as number[];
    const classes = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
    const loss = tf.tidy(() => {
      const xs = tf.randomUniform([batch, ...shape]);
      const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes);
      const r = trainStep(model, optimizer, xs, ys, outputsProbabilities(model), trainableVariables(model));
      r.correct.dispose();
      return r.loss;
    });
    // Reading forces the backend to really run the kernels (GPU errors surface here).
    const [v] = await loss.data();
    loss.dispose();
    if (!Number.isFinite(v)) throw new Error(`the probe step produced a non-finite loss (${v})`);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

export interface BackendChoice {
  backend: BackendName;
  attempts: BackendAttempt[];
}

export class NoBackendError extends Error {
  constructor(public readonly attempts: BackendAttempt[]) {
    super(
      `No TensorFlow.js backend can train this model here: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`,
    );
    this.name = 'NoBackendError';
  }
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}

/**
 * Tries each backend of `chain` in order: load it, make it current, run `probe`.
 * Returns the first that passes, with the reasons the earlier ones failed.
 */
export async function chooseBackend(options: {
  chain?: readonly BackendName[];
  loaders?: BackendLoaders;
  probe: Probe;
  /** Called before each attempt (for status messages). */
  onAttempt?: (backend: BackendName) => void;
  /** Errors that no other backend would fix (e.g. the graph does not compile): rethrown at once. */
  isFatal?: (e: unknown) => boolean;
}): Promise<BackendChoice> {
  const chain = options.chain && options.chain.length ? options.chain : BACKEND_CHAIN;
  const loaders = options.loaders ?? BUILTIN_LOADERS;
  const attempts: BackendAttempt[] = [];
  for (const backend of chain) {
    options.onAttempt?.(backend);
    const loader = loaders[backend];
    if (!loader) {
      attempts.push({ backend, ok: false, reason: 'not supported in this environment' });
      continue;
    }
    try {
      await loader();
      // setBackend resolves false (and logs) when the backend's factory fails, e.g. no WebGL context.
      const ok = await tf.setBackend(backend);
      if (!ok || tf.getBackend() !== backend) throw new Error('failed to initialise');
      await tf.ready();
      const before = tf.memory().numTensors;
      tf.engine().startScope();
      try {
        await options.probe(backend);
      } finally {
        tf.engine().endScope();
      }
      const leaked = tf.memory().numTensors - before;
      if (leaked > 0) console.warn(`backend probe on ${backend} leaked ${leaked} tensor(s)`);
      attempts.push({ backend, ok: true });
      return { backend, attempts };
    } catch (e) {
      if (options.isFatal?.(e)) throw e;
      attempts.push({ backend, ok: false, reason: describe(e) });
    }
  }
  throw new NoBackendError(attempts);
}
