// What the training worker does with its messages, minus the worker globals: load data → choose a
// backend → compile → train, reporting through `post`. Kept here so it can be tested and reused
// (bench page) without a Worker.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../graph/types';
import { loadMnist, type FetchFn, type TrainTestData } from '../data/dataset';
import { chooseBackend, probeTraining, type BackendLoaders, type LoaderOptions } from './backends';
import type { DatasetRef, FromWorker, ToWorker } from './protocol';
import { train } from './trainer';

/** The part of the compiler's CompiledModel the session uses (structural, so no import cycle). */
export interface CompiledLike {
  model: tf.LayersModel;
  convBlockIds: string[];
}

export interface SessionDeps {
  post: (m: FromWorker) => void;
  compile: (graph: Graph, options?: { seed?: number }) => CompiledLike;
  /** Recognises the compiler's CompileError (which carries blockId). */
  isCompileError: (e: unknown) => boolean;
  /** Backend loaders; the wasm one needs the message's wasmBaseUrl, hence a factory. */
  loaders: (wasmBaseUrl: string | undefined, options: LoaderOptions) => BackendLoaders;
  fetchFn?: FetchFn;
}

type TrainMsg = Extract<ToWorker, { type: 'train' }>;

/** Handles ToWorker messages one run at a time; a new 'train' stops the current run first. */
export class TrainingSession {
  private current: { runId: string; stop: boolean } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private data = new Map<string, Promise<TrainTestData>>();

  constructor(private readonly deps: SessionDeps) {}

  handle(msg: ToWorker): Promise<void> {
    if (msg.type === 'stop') {
      if (this.current && this.current.runId === msg.runId) this.current.stop = true;
      return this.queue;
    }
    if (this.current) this.current.stop = true;
    // Registered now, not when the queue reaches it, so an early 'stop' still finds it.
    const state = { runId: msg.runId, stop: false };
    this.current = state;
    // run() reports its own errors; this catch is for a throwing post() (e.g. a failed send), which
    // must not leave the queue rejected and every later run unstarted.
    this.queue = this.queue.then(() => this.run(msg, state)).catch((e: unknown) => this.lost(msg.runId, e));
    return this.queue;
  }

  /** Tells the renderer a run ended in an error, if posting works at all. */
  private lost(runId: string, e: unknown): void {
    try {
      this.deps.post({ type: 'error', runId, message: `Training stopped: ${e instanceof Error ? e.message : String(e)}` });
    } catch {
      // Nothing more can be sent; the queue still goes on.
    }
  }

  private loadData(ref: DatasetRef, onProgress: (m: string) => void): Promise<TrainTestData> {
    const key = `${ref.kind}:${ref.baseUrl}`;
    let p = this.data.get(key);
    if (!p) {
      p = loadMnist(ref.baseUrl, this.deps.fetchFn, (pr) => onProgress(`Loaded ${pr.file} (${pr.loaded}/${pr.files})`));
      // A failed download should be retried by the next run, not cached.
      p.catch(() => this.data.delete(key));
      this.data.set(key, p);
    }
    return p;
  }

  private async run(msg: TrainMsg, state: { runId: string; stop: boolean }): Promise<void> {
    const { runId, graph, config } = msg;
    const post = this.deps.post;
    const t0 = performance.now();
    const stoppedEarly = () => {
      post({ type: 'done', runId, stopped: true, testLoss: NaN, testAccuracy: NaN, seconds: (performance.now() - t0) / 1000 });
    };
    let model: tf.LayersModel | null = null;
    try {
      post({ type: 'status', runId, phase: 'loading-data', message: 'Loading MNIST' });
      const data = await this.loadData(msg.dataset, (m) => post({ type: 'status', runId, phase: 'loading-data', message: m }));
      if (state.stop) return stoppedEarly();

      const choice = await chooseBackend({
        chain: config.backends,
        // No explicit choice (Auto): skip a software WebGPU adapter, WebGL is faster there.
        loaders: this.deps.loaders(msg.wasmBaseUrl, { skipSoftwareWebGpu: config.backends === undefined }),
        probe: () => probeTraining(() => this.deps.compile(graph).model),
        isFatal: this.deps.isCompileError,
        onAttempt: (b) => post({ type: 'status', runId, phase: 'probing', message: `Trying the ${b} backend` }),
      });
      post({ type: 'backend', runId, backend: choice.backend, attempts: choice.attempts });
      if (state.stop) return stoppedEarly();

      post({ type: 'status', runId, phase: 'compiling', message: 'Building the model' });
      // Seeded weights: the same project and settings give the same run.
      const compiled = this.deps.compile(graph, { seed: config.seed });
      model = compiled.model;
      await train({
        model,
        dataset: data,
        config,
        runId,
        onEvent: post,
        shouldStop: () => state.stop,
        filtersBlockId: compiled.convBlockIds[0],
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const blockId = this.deps.isCompileError(e) ? (e as { blockId?: string }).blockId : undefined;
      post(blockId ? { type: 'error', runId, message, blockId } : { type: 'error', runId, message });
    } finally {
      model?.dispose();
      if (this.current === state) this.current = null;
    }
  }
}
