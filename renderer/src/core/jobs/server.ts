// The worker's job server, minus the worker globals: it keeps each run's model (and, while a run
// can still train, its optimizer and position) by run id, and serves jobs against them: train,
// pause/resume/stop, load, evaluate, predict, samples, weights. The web worker, the CLI and the
// tests drive the same class through ToWorker messages; replies go out through `post`.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../graph/types';
import { CompileError } from '../compile/compiler';
import type { FetchFn, SourceData } from '../data/dataset';
import { checkDataFit } from '../data/sources/fit';
import { evaluateDetailed, evaluationSample, isCancelled, predictProbabilities } from '../eval/evaluate';
import type { BackendLoaders, LoaderOptions } from '../train/backends';
import { BackendKeeper } from './backend';
import { DataKeeper, type OpenedStore } from './data';
import type { BackendName, TrainConfig } from '../train/config';
import { assertNever, type Checkpoint, type DatasetRef, type FromWorker, type GradientNormsReading, type JobResult, type ToWorker } from '../train/protocol';
import { checkpointOf, createState, disposeState, stateFromCheckpoint, type TrainState } from '../train/state';
import { train, type Control } from '../train/trainer';
import { readModelWeights, writeModelWeights } from '../train/weights';
import { makeYielder } from '../train/yielder';
import { samplesOf } from './samples';
import { runLabTask } from '../lab/tasks';
import { visualize } from './visualize';

/** The part of the compiler's CompiledModel the server uses (structural, so no import cycle). */
export interface CompiledLike {
  model: tf.LayersModel;
  convBlockIds: string[];
}

export interface ServerDeps {
  post: (m: FromWorker) => void;
  compile: (graph: Graph, options?: { seed?: number }) => CompiledLike;
  /** Recognises the compiler's CompileError (which carries blockId). */
  isCompileError: (e: unknown) => boolean;
  /** Backend loaders; the wasm one needs the message's wasmBaseUrl, hence a factory. */
  loaders: (wasmBaseUrl: string | undefined, options: LoaderOptions) => BackendLoaders;
  fetchFn?: FetchFn;
  /** Opens a stored dataset (DatasetRef 'stored') by id: OPFS in the worker, the file system in Node. */
  openStored?: (id: string) => Promise<OpenedStore>;
  now?: () => number;
  /** false: Auto takes the first backend that trains instead of timing each (tests, the CLI). */
  measure?: boolean;
}

interface RunEntry {
  runId: string;
  graph: Graph;
  config: TrainConfig;
  dataset: DatasetRef;
  wasmBaseUrl?: string;
  preferBackend?: BackendName;
  model: tf.LayersModel | null;
  /** Conv blocks whose kernels the trainer sends as 'filters' messages, in turn. */
  filtersBlockIds?: string[];
  /** Present while the run can still train (running or paused). */
  state: TrainState | null;
  control: Control;
  training: boolean;
  /** The last epoch-end checkpoint, for recovering from a lost GPU context. */
  lastCheckpoint?: Checkpoint;
  recoveries: number;
  /** Gradient-norm readings every this many steps (the train message's gradientNormsEvery). */
  gradientNormsEvery?: number;
}

type TrainMsg = Extract<ToWorker, { type: 'train' }>;
type JobMsg = Exclude<Extract<ToWorker, { jobId: string }>, { type: 'cancel' }>;

/** Read through a function: TypeScript would otherwise keep a narrowing across awaits. */
const stopRequested = (run: { control: Control }) => run.control === 'stop';
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Errors that come from the device rather than the network or the data: worth a retry elsewhere. */
export function isDeviceLoss(e: unknown): boolean {
  return /context.?lost|device.?lost|CONTEXT_LOST|GPUDevice|out of memory/i.test(message(e));
}

export class JobServer {
  private runs = new Map<string, RunEntry>();
  private jobs = new Map<string, { cancelled: boolean }>();
  private readonly dataKeeper: DataKeeper;
  /** Training runs one at a time, in order; other jobs interleave at batch boundaries. */
  private queue: Promise<void> = Promise.resolve();
  private readonly backend: BackendKeeper;

  constructor(private readonly deps: ServerDeps) {
    this.backend = new BackendKeeper({ ...deps, post: (m) => this.post(m) });
    this.dataKeeper = new DataKeeper(deps);
  }

  /** Handles one message; resolves when the work it started (if any) has finished. */
  handle(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'train':
        return this.startTrain(msg);
      case 'stop':
      case 'pause': {
        const run = this.runs.get(msg.runId);
        if (!run) return Promise.resolve();
        if (run.training) run.control = msg.type;
        else if (msg.type === 'stop' && run.state) this.finishPaused(run);
        return this.queue;
      }
      case 'resume': {
        const run = this.runs.get(msg.runId);
        if (!run?.state || run.training) return Promise.resolve();
        run.control = 'run';
        run.training = true;
        return this.enqueue(msg.runId, () => this.trainLoop(run));
      }
      case 'cancel': {
        const job = this.jobs.get(msg.jobId);
        if (job) job.cancelled = true;
        return Promise.resolve();
      }
      case 'dispose':
        this.disposeRun(msg.runId);
        return Promise.resolve();
      case 'load':
      case 'evaluate':
      case 'predict':
      case 'samples':
      case 'weights':
      case 'viz-filters':
      case 'viz-patches':
      case 'viz-activations':
      case 'viz-attribution':
      case 'viz-maximize':
      case 'lab':
        return this.runJob(msg);
      default:
        return assertNever(msg);
    }
  }

  private post(m: FromWorker): void {
    this.deps.post(m);
  }

  private enqueue(runId: string, work: () => Promise<void>): Promise<void> {
    // A throwing post() (a failed send) must not leave the queue rejected and later runs unstarted.
    this.queue = this.queue.then(work).catch((e: unknown) => {
      try {
        this.post({ type: 'error', runId, message: `Training stopped: ${message(e)}` });
      } catch {
        // Nothing more can be sent; the queue still goes on.
      }
    });
    return this.queue;
  }

  /**
   * The run's data (DataKeeper: MNIST, imported arrays, or a stored dataset streamed from disk).
   * With `graph`, the network is checked against the data first: a mismatch is an error on the
   * block to change.
   */
  private async loadData(ref: DatasetRef, onProgress?: (m: string) => void, graph?: Graph): Promise<SourceData> {
    const d = await this.dataKeeper.load(ref, onProgress);
    const issue = graph ? checkDataFit(graph, d.train)[0] : undefined;
    if (issue) throw new CompileError(`${issue.message}: ${issue.fix.label}`, issue.blockId);
    return d;
  }

  private startTrain(msg: TrainMsg): Promise<void> {
    // One run trains at a time: a new one ends the current one.
    for (const r of this.runs.values()) if (r.training) r.control = 'stop';
    this.disposeRun(msg.runId);
    const run: RunEntry = {
      runId: msg.runId, graph: msg.graph, config: msg.config, dataset: msg.dataset, wasmBaseUrl: msg.wasmBaseUrl, preferBackend: msg.preferBackend,
      model: null, state: null, control: 'run', training: true, recoveries: 0,
      ...(msg.gradientNormsEvery ? { gradientNormsEvery: msg.gradientNormsEvery } : {}),
      ...(msg.from ? { lastCheckpoint: msg.from } : {}),
    };
    // Registered now, not when the queue reaches it, so an early 'stop' still finds it.
    this.runs.set(msg.runId, run);
    return this.enqueue(msg.runId, () => this.prepareAndTrain(run, msg.from));
  }

  private async prepareAndTrain(run: RunEntry, from: Checkpoint | undefined): Promise<void> {
    const { runId, config } = run;
    try {
      this.post({ type: 'status', runId, phase: 'loading-data', message: run.dataset.kind === 'mnist' ? 'Loading MNIST' : `Loading ${run.dataset.name}` });
      await this.loadData(run.dataset, (m) => this.post({ type: 'status', runId, phase: 'loading-data', message: m }), run.graph);
      if (stopRequested(run)) return this.endRun(run, 'stopped');
      await this.backend.ensure({
        chain: config.backends, graph: run.graph, wasmBaseUrl: run.wasmBaseUrl, runId, prefer: run.preferBackend, batch: config.batchSize,
        shouldStop: () => run.control !== 'run',
      });
      if (stopRequested(run)) return this.endRun(run, 'stopped');
      await this.build(run, from);
    } catch (e) {
      run.training = false;
      this.reportRunError(run, e);
      return;
    }
    await this.trainLoop(run);
  }

  /** Compiles the run's model with seeded weights and creates (or restores) its training state. */
  private async build(run: RunEntry, from: Checkpoint | undefined): Promise<void> {
    this.post({ type: 'status', runId: run.runId, phase: 'compiling', message: from ? `Restoring epoch ${from.epoch}` : 'Building the model' });
    const compiled = this.deps.compile(run.graph, { seed: run.config.seed });
    run.model?.dispose();
    run.model = compiled.model;
    run.filtersBlockIds = compiled.convBlockIds;
    if (run.state) disposeState(run.state);
    run.state = from ? await stateFromCheckpoint(compiled.model, run.config, from) : createState(run.runId, compiled.model, run.config);
  }

  private async trainLoop(run: RunEntry): Promise<void> {
    const state = run.state;
    if (!state) return;
    run.training = true;
    // Gradient-norm readings ride on the next 'progress' message (the trainer reads them before it).
    let readings: GradientNormsReading[] = [];
    const every = run.gradientNormsEvery;
    try {
      // The dataset stays open for the whole loop (a stored one is read batch by batch).
      const result = await this.dataKeeper.use(run.dataset, (data) => train(
        state,
        data,
        {
          emit: (m) => {
            if (m.type === 'progress' && readings.length) {
              this.post({ ...m, gradientNorms: readings });
              readings = [];
            } else this.post(m);
          },
          ...(every ? { onGradients: (norms: Record<string, number>, at: { steps: number; examplesSeen: number }) => void readings.push({ ...at, norms }) } : {}),
          control: () => run.control,
          checkpoint: (c) => {
            run.lastCheckpoint = c;
            this.post({ type: 'checkpoint', runId: run.runId, checkpoint: c });
          },
        },
        { filtersBlockIds: run.filtersBlockIds, now: this.deps.now, ...(every ? { gradientNormsEvery: every } : {}) },
      ));
      if (result.outcome === 'paused') {
        // Kept by the renderer: a reload while paused continues from this very batch. Read while
        // the run still counts as training, so a Stop meanwhile is a control, not a second ending.
        const at = await checkpointOf(state, this.deps.now?.() ?? Date.now());
        run.training = false;
        if (run.state !== state) return; // disposed meanwhile
        if (run.control === 'stop') return this.endRun(run, 'stopped');
        run.lastCheckpoint = at;
        this.post({ type: 'checkpoint', runId: run.runId, checkpoint: at });
        this.post({ type: 'paused', runId: run.runId, epoch: state.epoch, examplesSeen: state.examplesSeen });
        return;
      }
      this.endRun(run, result.outcome === 'stopped' ? 'stopped' : 'done', result);
    } catch (e) {
      if (isDeviceLoss(e) && run.recoveries < 1 && run.control === 'run') return this.recover(run, e);
      run.training = false;
      // A diverged run keeps its restored weights for a look at them; it cannot go on.
      if (run.state) disposeState(run.state);
      run.state = null;
      this.reportRunError(run, e);
    }
  }

  /** The device went away mid-run: choose a backend again (without the failed one) and go on from the last checkpoint. */
  private async recover(run: RunEntry, cause: unknown): Promise<void> {
    run.recoveries++;
    const failed = tf.getBackend() as BackendName;
    const chain = (run.config.backends ?? ['webgpu', 'webgl', 'wasm', 'cpu']).filter((b) => b !== failed) as BackendName[];
    const from = run.lastCheckpoint;
    this.post({
      type: 'notice', runId: run.runId,
      message: `The ${failed} backend failed (${message(cause)}). Continuing ${from ? `from the checkpoint of epoch ${from.epoch}` : 'from the start'} on another backend.`,
    });
    try {
      this.backend.forget();
      await this.backend.ensure({ chain: chain.length ? chain : undefined, graph: run.graph, wasmBaseUrl: run.wasmBaseUrl, runId: run.runId });
      await this.build(run, from);
    } catch (e) {
      run.training = false;
      this.reportRunError(run, e);
      return;
    }
    await this.trainLoop(run);
  }

  private endRun(run: RunEntry, how: 'done' | 'stopped', result?: { testLoss: number; testAccuracy: number; restoredEpoch?: number }): void {
    run.training = false;
    const state = run.state;
    const seconds = state?.seconds ?? 0;
    const examplesSeen = state?.examplesSeen ?? 0;
    if (state) disposeState(state);
    run.state = null;
    this.post({
      type: 'done', runId: run.runId, stopped: how === 'stopped',
      testLoss: result?.testLoss ?? NaN, testAccuracy: result?.testAccuracy ?? NaN, seconds, examplesSeen,
      ...(result?.restoredEpoch ? { restoredEpoch: result.restoredEpoch } : {}),
    });
  }

  /** Stop on a paused run: it ends where it stands (no test pass, as for any stop). */
  private finishPaused(run: RunEntry): void {
    this.endRun(run, 'stopped');
  }

  private reportRunError(run: RunEntry, e: unknown): void {
    const blockId = this.deps.isCompileError(e) ? (e as { blockId?: string }).blockId : undefined;
    this.post(blockId ? { type: 'error', runId: run.runId, message: message(e), blockId } : { type: 'error', runId: run.runId, message: message(e) });
  }

  private disposeRun(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    if (run.training) {
      // The loop still uses the model: ask it to stop; the entry is replaced, its tensors freed by GC of the old loop's end.
      run.control = 'stop';
      void this.queue.then(() => this.freeRun(run));
    } else {
      this.freeRun(run);
    }
    this.runs.delete(runId);
  }

  private freeRun(run: RunEntry): void {
    if (run.state) disposeState(run.state);
    run.state = null;
    run.model?.dispose();
    run.model = null;
  }

  // ---------------------------------------------------------------- jobs on kept models

  private async runJob(msg: JobMsg): Promise<void> {
    const job = { cancelled: false };
    this.jobs.set(msg.jobId, job);
    try {
      const result = await this.jobResult(msg, job);
      this.post({ type: 'job-result', jobId: msg.jobId, result });
    } catch (e) {
      this.post({ type: 'job-error', jobId: msg.jobId, message: message(e), ...(isCancelled(e) ? { cancelled: true } : {}) });
    } finally {
      this.jobs.delete(msg.jobId);
    }
  }

  private modelOf(runId: string): { run: RunEntry; model: tf.LayersModel } {
    const run = this.runs.get(runId);
    if (!run?.model) throw new Error(`run ${runId} has no trained model in the worker; load it first`);
    return { run, model: run.model };
  }

  private async jobResult(msg: JobMsg, job: { cancelled: boolean }): Promise<JobResult> {
    const progress = (fraction: number, text: string) => this.post({ type: 'job-progress', jobId: msg.jobId, fraction, message: text });
    switch (msg.type) {
      case 'load': {
        // Any backend that trains here can hold a finished model: keep the current one, so loading
        // never waits for (or switches backends under) a run that is training.
        if (!this.backend.current) {
          await this.queue;
          await this.backend.ensure({ chain: msg.config.backends, graph: msg.graph, wasmBaseUrl: msg.wasmBaseUrl, runId: msg.runId });
        }
        this.disposeRun(msg.runId);
        const compiled = this.deps.compile(msg.graph, { seed: msg.config.seed });
        try {
          writeModelWeights(compiled.model, msg.weights);
        } catch (e) {
          compiled.model.dispose();
          throw e;
        }
        this.runs.set(msg.runId, {
          runId: msg.runId, graph: msg.graph, config: msg.config, dataset: msg.dataset, wasmBaseUrl: msg.wasmBaseUrl,
          model: compiled.model, filtersBlockIds: compiled.convBlockIds, state: null, control: 'run', training: false, recoveries: 0,
        });
        return { kind: 'load' };
      }
      case 'evaluate': {
        const { run, model } = this.modelOf(msg.runId);
        progress(0, 'Loading the test set');
        return this.dataKeeper.use(run.dataset, async (data) => {
          const indices = evaluationSample(data.test.count, msg.sample, msg.seed ?? run.config.seed);
          const yielder = makeYielder();
          try {
            const evaluation = await evaluateDetailed(model, data.test, indices, {
              yieldFn: yielder.yield,
              shouldCancel: () => job.cancelled,
              onProgress: (done, total) => progress(done / total, `Evaluated ${done} of ${total}`),
            });
            return { kind: 'evaluate', evaluation };
          } finally {
            yielder.close();
          }
        });
      }
      case 'predict': {
        const { model } = this.modelOf(msg.runId);
        const probabilities = await predictProbabilities(model, msg.inputs, msg.count);
        const shape = model.outputs[0].shape;
        return { kind: 'predict', probabilities, classes: shape[shape.length - 1] as number };
      }
      case 'samples': {
        const run = this.runs.get(msg.runId);
        if (!run) throw new Error(`unknown run ${msg.runId}`);
        return this.dataKeeper.use(run.dataset, (data) => samplesOf(msg.split === 'test' ? data.test : data.train, msg.indices));
      }
      case 'weights': {
        const { model } = this.modelOf(msg.runId);
        return { kind: 'weights', weights: await readModelWeights(model) };
      }
      case 'viz-filters':
      case 'viz-patches':
      case 'viz-activations':
      case 'viz-attribution':
      case 'viz-maximize': {
        const { run, model } = this.modelOf(msg.runId);
        return this.dataKeeper.use(run.dataset, (data, split) => visualize(msg, { model, graph: run.graph, data, split, progress, cancelled: () => job.cancelled }));
      }
      case 'lab': {
        const { run, model } = this.modelOf(msg.runId);
        const result = await this.dataKeeper.use(run.dataset, (_, split) =>
          runLabTask(msg.task, { model, modelOf: (id) => this.modelOf(id).model, split, progress, cancelled: () => job.cancelled }),
        );
        return { kind: 'lab', result };
      }
      default:
        return assertNever(msg);
    }
  }
}
