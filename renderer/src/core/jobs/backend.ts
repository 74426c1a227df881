// The job server's backend: chosen once per backend chain and kept while it holds, so every run
// after the first starts at once (and still says which backend it trains on).
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../graph/types';
import { chooseBackend, describeBackend, measureTraining, probeTraining, type BackendLoaders, type LoaderOptions } from '../train/backends';
import { BACKEND_CHAIN, type BackendName } from '../train/config';
import type { BackendAttempt, FromWorker } from '../train/protocol';

export interface BackendDeps {
  post: (m: FromWorker) => void;
  compile: (graph: Graph) => { model: tf.LayersModel };
  isCompileError: (e: unknown) => boolean;
  loaders: (wasmBaseUrl: string | undefined, options: LoaderOptions) => BackendLoaders;
  /** false: Auto takes the first backend that trains instead of timing each. */
  measure?: boolean;
}

export interface BackendRequest {
  /** The run's chain; undefined = Auto. */
  chain: BackendName[] | undefined;
  /** Probed (and timed) with one real step of this network. */
  graph: Graph;
  wasmBaseUrl: string | undefined;
  runId: string;
  /** Auto only: a choice measured before for a model of this size, tried first without timing. */
  prefer?: BackendName;
  batch?: number;
  /** Stop or Pause was pressed: Auto's timing ends after the backend it is timing (the best so far is used). */
  shouldStop?: () => boolean;
}

export class BackendKeeper {
  private key: string | null = null;
  private chosen: BackendName | null = null;
  private attempts: BackendAttempt[] = [];

  constructor(private readonly deps: BackendDeps) {}

  /** The backend in use, if one was chosen and is still current. */
  get current(): BackendName | null {
    return this.chosen && tf.getBackend() === this.chosen ? this.chosen : null;
  }

  /** Forgets the choice (the device was lost): the next ensure() chooses again. */
  forget(): void {
    this.key = null;
  }

  /**
   * Chooses (or keeps) the backend for a chain; probes with one real step of the graph. Auto times a
   * few real steps on every backend that can train it and keeps the fastest, unless `prefer` is given.
   */
  async ensure(r: BackendRequest): Promise<void> {
    const { post } = this.deps;
    const key = JSON.stringify(r.chain ?? 'auto');
    if (this.key === key && this.current) {
      post({ type: 'backend', runId: r.runId, backend: this.current, attempts: this.attempts, label: describeBackend(this.current) });
      return;
    }
    const auto = r.chain === undefined;
    const measure = auto && !r.prefer && this.deps.measure !== false;
    const build = () => this.deps.compile(r.graph).model;
    const choice = await chooseBackend({
      chain: auto && r.prefer ? [r.prefer, ...BACKEND_CHAIN.filter((b) => b !== r.prefer)] : r.chain,
      // No explicit choice (Auto): skip a software WebGPU adapter, WebGL is faster there.
      loaders: this.deps.loaders(r.wasmBaseUrl, { skipSoftwareWebGpu: auto }),
      probe: () => probeTraining(build),
      isFatal: this.deps.isCompileError,
      onAttempt: (b) => post({ type: 'status', runId: r.runId, phase: 'probing', message: measure ? `Timing the ${b} backend` : `Trying the ${b} backend` }),
      ...(measure ? { mode: 'fastest' as const, measure: () => measureTraining(build, { batch: r.batch ?? 32 }), ...(r.shouldStop ? { shouldStop: r.shouldStop } : {}) } : {}),
    });
    // A timing cut short is not a measured choice: the next run times again.
    this.key = choice.partial ? null : key;
    this.chosen = choice.backend;
    this.attempts = choice.attempts;
    post({ type: 'backend', runId: r.runId, backend: choice.backend, attempts: choice.attempts, label: describeBackend(choice.backend), ...(measure && !choice.partial ? { measured: true } : {}) });
  }
}
