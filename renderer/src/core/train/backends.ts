// Backend selection: try each backend in order and keep the first one that can actually train
// the user's model. "Can initialise" is not enough — wasm initialises fine and then lacks
// Conv2DBackpropFilter — so each candidate is probed with one real training step.
import * as tf from '@tensorflow/tfjs';
import type { BackendAttempt, BackendName } from './protocol';
import { BACKEND_CHAIN } from './protocol';
import { registerTrainingKernels } from './kernels';
import { makeOptimizer, outputsProbabilities, trainableVariables, trainStep } from './step';

/** Makes a backend registrable (imports its package, sets paths). Throws when it cannot exist here. */
export type BackendLoader = () => Promise<void>;
export type BackendLoaders = Partial<Record<BackendName, BackendLoader>>;

/** cpu and webgl ship inside @tensorflow/tfjs: nothing to load (cpu gets our faster gradient kernels). */
export const BUILTIN_LOADERS: BackendLoaders = {
  cpu: async () => {
    registerTrainingKernels('cpu');
  },
  webgl: async () => {},
};

/**
 * XNNPACK threads the wasm backend computes with (1 without cross-origin isolation and in Node),
 * or undefined before it has initialised. Read from the backend itself, so it works wherever
 * the backend was loaded (browser loader, node loader).
 */
export function wasmThreadCount(): number | undefined {
  // The engine's registry, not tf.findBackend: that would start initialising wasm.
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const b = registry.wasm as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
  try {
    return b?.wasm?.tfjs?.getThreadsCount?.();
  } catch {
    return undefined;
  }
}

/** 'wasm (2 threads)', 'webgl', ...: the backend as the badge should name it. */
export function describeBackend(backend: BackendName): string {
  const threads = backend === 'wasm' ? wasmThreadCount() : undefined;
  return threads ? `${backend} (${threads} thread${threads === 1 ? '' : 's'})` : backend;
}

/**
 * wasm threads need SharedArrayBuffer, i.e. a cross-origin isolated page and worker (COOP
 * same-origin + COEP require-corp on both responses) and `blob:` in the CSP's script-src and
 * worker-src. Without isolation the threaded build must not even be tried: tfjs then starts
 * blob: workers that a strict CSP blocks, and setBackend('wasm') hangs.
 */
function threadsPossible(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  return g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === 'function';
}

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
      if (threadsPossible()) {
        const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
        // tfjs caps this at 8 (and at cores/2 when left unset, which is 1 on a 2-core machine).
        wasm.setThreadsCount(Math.max(1, Math.min(8, cores)));
      } else {
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      }
      wasm.setWasmPaths(wasmBaseUrl);
      registerTrainingKernels('wasm');
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
    // A reconstruction head (one channel) has no classes: any labels of depth ≥ 2 do (its loss ignores them).
    const classes = Math.max(2, model.outputs[0].shape[model.outputs[0].shape.length - 1] as number);
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
  /** 'fastest' stopped early (shouldStop): the best of the backends timed so far. */
  partial?: boolean;
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

/** Times a few real training steps of the current backend: examples per second. */
export type Measure = (backend: BackendName) => Promise<number>;

export interface MeasureOptions {
  /** Batch size of the timed steps (the run's own batch size is the honest choice). */
  batch?: number;
  /** Untimed steps first: shader compilation, XNNPACK operator setup, optimizer slots. */
  warmupSteps?: number;
  /** Timed steps at most, and seconds at most (the slower bound wins; at least one step). */
  steps?: number;
  maxSeconds?: number;
}

/**
 * Examples/s of real training steps (forward, backward, Adam update) of the model `build` makes,
 * on the current backend, with random data of the model's input shape. Disposes everything.
 */
export async function measureTraining(build: () => tf.LayersModel, options: MeasureOptions = {}): Promise<number> {
  const { batch = 32, warmupSteps = 2, steps = 10, maxSeconds = 2 } = options;
  const model = build();
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 1e-3, momentum: 0 });
  const shape = model.inputs[0].shape.slice(1) as number[];
  const classes = Math.max(2, model.outputs[0].shape[model.outputs[0].shape.length - 1] as number);
  const xs = tf.randomUniform([batch, ...shape]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes));
  const vars = trainableVariables(model);
  const probabilities = outputsProbabilities(model);
  const step = async () => {
    const r = trainStep(model, optimizer, xs, ys, probabilities, vars);
    // Reading the loss waits for the GPU: without it GPU backends would look infinitely fast.
    await r.loss.data();
    tf.dispose([r.loss, r.correct]);
  };
  try {
    for (let i = 0; i < warmupSteps; i++) await step();
    const t0 = performance.now();
    let done = 0;
    while (done < steps && performance.now() - t0 < maxSeconds * 1000) {
      await step();
      done++;
    }
    return (done * batch) / ((performance.now() - t0) / 1000);
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Tries backends of `chain`: load it, make it current, run `probe`.
 * - mode 'first' (default): returns the first that passes, with why the earlier ones failed.
 * - mode 'fastest': tries every backend, times those that pass with `measure`, and returns the
 *   fastest (current on return); every attempt carries its examplesPerSec.
 */
export async function chooseBackend(options: {
  chain?: readonly BackendName[];
  loaders?: BackendLoaders;
  probe: Probe;
  /** Called before each attempt (for status messages). */
  onAttempt?: (backend: BackendName) => void;
  /** Errors that no other backend would fix (e.g. the graph does not compile): rethrown at once. */
  isFatal?: (e: unknown) => boolean;
  mode?: 'first' | 'fastest';
  /** Required for 'fastest'; e.g. `() => measureTraining(build, { batch })`. */
  measure?: Measure;
  /** 'fastest': asked between backends; true (the user pressed Stop or Pause) keeps the best so far. */
  shouldStop?: () => boolean;
}): Promise<BackendChoice> {
  const chain = options.chain && options.chain.length ? options.chain : BACKEND_CHAIN;
  const loaders = options.loaders ?? BUILTIN_LOADERS;
  const fastest = options.mode === 'fastest';
  if (fastest && !options.measure) throw new Error("chooseBackend: mode 'fastest' needs a measure function");
  const attempts: BackendAttempt[] = [];
  let partial = false;
  for (const backend of chain) {
    if (fastest && attempts.some((a) => a.ok) && options.shouldStop?.()) {
      partial = true;
      break;
    }
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
      await scoped(backend, () => options.probe(backend));
      if (!fastest) {
        attempts.push({ backend, ok: true });
        return { backend, attempts };
      }
      let examplesPerSec = 0;
      await scoped(backend, async () => {
        examplesPerSec = await options.measure!(backend);
      });
      attempts.push({ backend, ok: true, examplesPerSec });
    } catch (e) {
      if (options.isFatal?.(e)) throw e;
      attempts.push({ backend, ok: false, reason: describe(e) });
    }
  }
  const passed = attempts.filter((a) => a.ok);
  if (!passed.length) throw new NoBackendError(attempts);
  const best = passed.reduce((a, b) => ((b.examplesPerSec ?? 0) > (a.examplesPerSec ?? 0) ? b : a));
  if (tf.getBackend() !== best.backend) {
    // Already loaded and initialised above; switching back cannot fail for a new reason.
    await tf.setBackend(best.backend);
    await tf.ready();
  }
  return { backend: best.backend, attempts, ...(partial ? { partial } : {}) };
}

/** Runs `f` in an engine scope and warns about tensors it leaves behind. */
async function scoped(backend: BackendName, f: () => Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  tf.engine().startScope();
  try {
    await f();
  } finally {
    tf.engine().endScope();
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked > 0) console.warn(`backend probe on ${backend} leaked ${leaked} tensor(s)`);
}
