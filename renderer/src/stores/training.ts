// Training settings, the live state of the run that is training now, and the link to the worker's
// job server. Run records live in the runs store; this store turns user actions into ToWorker
// messages and routes every FromWorker message: run messages to the runs store (and the live
// view), job replies to the promise that asked. The store never owns the Worker: a composable
// attaches a transport (postMessage) and calls handle(), which keeps it testable without one.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Graph } from '../core/graph/types';
import { newRunRecord } from '../core/runs/reduce';
import { expandUnits } from '../core/graph/units';
import { withDefaults } from '../core/train/config';
import {
  assertNever, DEFAULT_TRAIN_CONFIG,
  type BackendAttempt, type BackendName, type DatasetRef, type FromWorker, type JobResult, type ToWorker, type TrainConfig, type TrainPhase,
} from '../core/train/protocol';
import { checkTrainConfig } from '../core/train/settings';
import { useHost } from '../composables/useHost';
import { useRunStorage } from '../host/run-storage';
import { rememberBackend, rememberedBackend } from '../host/backend-memory';
import type { DatasetDescriptor } from '../core/runs/record';
import { useDatasetStore } from './dataset';
import { useRunsStore } from './runs';

export type RunStatus = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';
export interface FilterSnapshot {
  runId: string;
  blockId: string;
  shape: [number, number, number, number];
  data: Float32Array;
  /** Counts snapshots so views can tell a refresh from a re-render. */
  version: number;
}
export interface Transport {
  post(msg: ToWorker): void;
  /** Where the wasm backend finds its binaries; environment knowledge the store should not have. */
  wasmBaseUrl?: string;
}
type JobMsg = Exclude<Extract<ToWorker, { jobId: string }>, { type: 'cancel' }>;
type JobRequest = JobMsg extends infer M ? (M extends JobMsg ? Omit<M, 'jobId'> : never) : never;
interface PendingJob {
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
  onProgress?: (fraction: number, message: string) => void;
}

/** A run started with startWith: its messages, and how it ended. */
export type DoneMessage = Extract<FromWorker, { type: 'done' }>;
export interface StartOptions {
  /** The run's id (the lab names its runs); a fresh one when absent. */
  runId?: string;
  /** The dataset to train on; the store's current one when absent. */
  dataset?: DatasetRef;
  /** Gradient-norm readings every this many steps (the lab's cadence); else the setting's. */
  gradientNormsEvery?: number;
  /** Every message of the run, before the store applies it. */
  onMessage?: (m: FromWorker) => void;
}
export interface StartedRun {
  runId: string;
  /** Resolves with the run's 'done' (stopped or not); rejects on its 'error' or a worker failure. */
  ended: Promise<DoneMessage>;
}
interface RunWaiter {
  resolve: (m: DoneMessage) => void;
  reject: (e: Error) => void;
  onMessage?: (m: FromWorker) => void;
}
/** Steps between gradient-norm readings when the setting is on. */
const GRADIENT_NORMS_EVERY = 10;

let counter = 0;
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++counter}`;

export const useTrainingStore = defineStore('training', () => {
  const runs = useRunsStore();
  // State
  const config = ref<TrainConfig>({ ...DEFAULT_TRAIN_CONFIG });
  /** 'mnist', or the id of the dataset imported in the dataset store. */
  const dataset = ref<string>('mnist');
  // The worker's DatasetRef for a run's dataset ('mnist' or an imported id) and the record's descriptor.
  const datasetRef = (id: string = dataset.value, name?: string, loadedOnly = false): DatasetRef =>
    id === 'mnist' ? { kind: 'mnist', baseUrl: useHost().mnistBaseUrl() } : useDatasetStore().refFor(id, name, loadedOnly);
  const datasetIdOf = (d: DatasetDescriptor | undefined) => (d?.kind === 'imported' ? d.id : 'mnist');
  const nameOf = (d: DatasetDescriptor | undefined) => (d?.kind === 'imported' ? d.name : undefined);
  const status = ref<RunStatus>('idle');
  /** The run that is training (or paused in the worker) now. */
  const runId = ref<string | null>(null);
  const phase = ref<TrainPhase | null>(null);
  const phaseMessage = ref('');
  const backend = ref<BackendName | null>(null);
  /** The badge's name for it, e.g. 'wasm (1 thread)'. */
  const backendLabel = ref('');
  const attempts = ref<BackendAttempt[]>([]);
  const epoch = ref(0);
  const examplesSeen = ref(0);
  const totalExamples = ref(0);
  const examplesPerSec = ref(0);
  /** A problem that is not a run's own (bad settings, a worker that died). */
  const error = ref<{ message: string; blockId?: string } | null>(null);
  const notices = ref<string[]>([]);
  /** The latest kernels of every conv block of the training run (blocks in the order they first arrived). */
  const filtersByBlock = shallowRef<ReadonlyMap<string, FilterSnapshot>>(new Map());
  /** The first conv's latest kernels (the trainer sends the convs in turn, the first one first). */
  const filters = computed<FilterSnapshot | null>(() => filtersByBlock.value.values().next().value ?? null);
  let filtersVersion = 0;
  /** Runs whose model the worker holds now (a fresh worker holds none). */
  const inWorker = ref<Set<string>>(new Set());
  const pending = new Map<string, PendingJob>();
  const waiters = new Map<string, RunWaiter>();
  let transport: Transport | null = null;

  // Getters
  const isRunning = computed(() => ['starting', 'running', 'pausing', 'stopping'].includes(status.value));
  const isPaused = computed(() => status.value === 'paused');
  const fraction = computed(() => (totalExamples.value > 0 ? Math.min(1, examplesSeen.value / totalExamples.value) : 0));

  // Actions
  function setTransport(t: Transport | null): void {
    transport = t;
  }

  function updateConfig(patch: Partial<TrainConfig>): void {
    config.value = { ...config.value, ...patch };
  }

  function setConfig(next: TrainConfig): void {
    config.value = withDefaults(next);
  }

  function post(msg: ToWorker): void {
    if (!transport) throw new Error('The training worker is not connected.');
    transport.post(msg);
  }

  function resetLive(id: string | null): void {
    runId.value = id;
    phase.value = null;
    phaseMessage.value = '';
    epoch.value = 0;
    examplesSeen.value = 0;
    totalExamples.value = 0;
    examplesPerSec.value = 0;
    error.value = null;
    notices.value = [];
    filtersByBlock.value = new Map();
  }

  const wasm = () => (transport?.wasmBaseUrl ? { wasmBaseUrl: transport.wasmBaseUrl } : {});
  const norms = (c: TrainConfig) => (c.recordGradientNorms ? { gradientNormsEvery: GRADIENT_NORMS_EVERY } : {});
  // Plain JSON copies: nested reactive proxies (e.g. the backends array) cannot be posted.
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

  /** Starts a run on a snapshot of the graph. Returns the run id, or null when one is running or the settings are invalid. */
  function start(graph: Graph, name?: string): string | null {
    return launch(graph, config.value, name, {});
  }

  /**
   * Starts a run with its own settings (the lab), shown and recorded like any run. Null when a run is
   * training or the settings are invalid; otherwise the id and a promise of the run's end.
   */
  function startWith(graph: Graph, cfg: TrainConfig, name: string, opts: StartOptions = {}): StartedRun | null {
    const id = launch(graph, withDefaults(cfg), name, opts);
    if (!id) return null;
    const ended = new Promise<DoneMessage>((resolve, reject) => waiters.set(id, { resolve, reject, onMessage: opts.onMessage }));
    // A failure to post ended the run already (fail() ran before the waiter existed).
    if (runs.byId.get(id)?.state === 'error') {
      waiters.get(id)?.reject(new Error(runs.byId.get(id)?.error ?? 'Could not start training.'));
      waiters.delete(id);
    }
    return { runId: id, ended };
  }

  function launch(graph: Graph, settings: TrainConfig, name: string | undefined, opts: StartOptions): string | null {
    if (isRunning.value) return null;
    if (!transport) throw new Error('The training worker is not connected.');
    // A paused run gives way: it ends as stopped where it stands.
    if (isPaused.value && runId.value) post({ type: 'stop', runId: runId.value });
    resetLive(null);
    const problem = checkTrainConfig(settings);
    if (problem) {
      // Shown in the training panel; nothing is sent to the worker.
      status.value = 'error';
      error.value = { message: problem };
      return null;
    }
    // The dataset first: a run never starts on data other than the one its record describes.
    let ref: DatasetRef;
    try {
      ref = opts.dataset ? plain(opts.dataset) : datasetRef(dataset.value, undefined, true);
    } catch (e) {
      status.value = 'error';
      error.value = { message: e instanceof Error ? e.message : String(e) };
      return null;
    }
    const id = opts.runId ?? newId('run');
    const cfg = plain(settings);
    const described = opts.dataset || dataset.value === 'mnist' ? null : useDatasetStore().descriptor();
    const record = { ...newRunRecord(id, name ?? `Run ${runs.records.length + 1}`, graph, cfg, Date.now()), ...(described ? { dataset: described } : {}) };
    runs.add(record);
    runId.value = id;
    status.value = 'starting';
    phaseMessage.value = 'Starting…';
    backend.value = null;
    attempts.value = [];
    try {
      const prefer = cfg.backends === undefined ? rememberedBackend(record.metrics?.params ?? 0) : undefined;
      post({
        type: 'train', runId: id, graph: expandUnits(plain(graph)), config: cfg, dataset: ref,
        ...(prefer ? { preferBackend: prefer } : {}), ...wasm(),
        ...(opts.gradientNormsEvery ? { gradientNormsEvery: opts.gradientNormsEvery } : norms(cfg)),
      });
      inWorker.value = new Set(inWorker.value).add(id);
    } catch (e) {
      fail(`Could not start training: ${e instanceof Error ? e.message : String(e)}`);
    }
    return id;
  }

  function stop(): void {
    if (!runId.value || !(isRunning.value || isPaused.value)) return;
    status.value = 'stopping';
    phaseMessage.value = 'Stopping after this batch…';
    post({ type: 'stop', runId: runId.value });
  }

  function pause(): void {
    if (!runId.value || !isRunning.value || status.value === 'stopping') return;
    status.value = 'pausing';
    phaseMessage.value = 'Pausing after this batch…';
    post({ type: 'pause', runId: runId.value });
  }

  /** Continues a run: a paused one from where it stands in the worker, an interrupted one from its last checkpoint. */
  async function resume(id: string): Promise<boolean> {
    if (isRunning.value) return false;
    if (isPaused.value && runId.value === id) {
      status.value = 'running';
      phaseMessage.value = 'Resuming…';
      post({ type: 'resume', runId: id });
      return true;
    }
    const record = runs.byId.get(id);
    const ckpt = record ? await useRunStorage().getCheckpoint(id) : null;
    if (!record || !ckpt) return false;
    // The dataset first: if it is gone, say so and change nothing.
    let ref: DatasetRef;
    try {
      ref = datasetRef(datasetIdOf(record.dataset), nameOf(record.dataset));
    } catch (e) {
      error.value = { message: e instanceof Error ? e.message : String(e) };
      return false;
    }
    if (isPaused.value && runId.value) post({ type: 'stop', runId: runId.value });
    resetLive(id);
    status.value = 'starting';
    phaseMessage.value = ckpt.offset ? `Resuming where it was paused (epoch ${ckpt.epoch + 1}, ${ckpt.offset.toLocaleString('en-US')} examples in)…` : `Resuming from the checkpoint of epoch ${ckpt.epoch}…`;
    runs.update(id, { state: 'running', error: undefined });
    runs.select(id);
    post({ type: 'train', runId: id, graph: expandUnits(record.graph), config: withDefaults(record.config), dataset: ref, from: ckpt, ...wasm(), ...norms(record.config) });
    inWorker.value = new Set(inWorker.value).add(id);
    return true;
  }

  /** Sends a job to the worker; resolves with its result. Aborting `signal` cancels this job only. */
  function request(job: JobRequest, onProgress?: PendingJob['onProgress'], signal?: AbortSignal): Promise<JobResult> {
    const jobId = newId('job');
    return new Promise<JobResult>((resolve, reject) => {
      pending.set(jobId, { resolve, reject, onProgress });
      try {
        post({ ...job, jobId } as JobMsg);
      } catch (e) {
        pending.delete(jobId);
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      signal?.addEventListener('abort', () => {
        if (pending.has(jobId)) post({ type: 'cancel', jobId });
      }, { once: true });
    });
  }

  function cancelJobs(): void {
    for (const jobId of pending.keys()) post({ type: 'cancel', jobId });
  }

  /** Makes sure the worker holds the run's model (loading its stored weights after a reload). */
  async function ensureInWorker(id: string): Promise<void> {
    if (inWorker.value.has(id)) return;
    const r = runs.byId.get(id);
    if (!r?.weights) throw new Error('This run has no stored weights to load.');
    await request({ type: 'load', runId: id, graph: expandUnits(r.graph), config: withDefaults(r.config), dataset: datasetRef(datasetIdOf(r.dataset), nameOf(r.dataset)), weights: r.weights, ...wasm() });
    inWorker.value = new Set(inWorker.value).add(id);
  }

  /** Fetches a finished run's weights from the worker into its record, so it outlives the worker and the page. */
  async function keepWeights(id: string): Promise<void> {
    try {
      const r = await request({ type: 'weights', runId: id });
      if (r.kind === 'weights') runs.update(id, { weights: r.weights });
    } catch (e) {
      console.warn('could not keep the weights of', id, e);
    }
  }

  /** The worker died or could not load: end the run and every job with a message. */
  function fail(message: string): void {
    for (const [id, p] of pending) {
      p.reject(new Error(message));
      pending.delete(id);
    }
    for (const [id, w] of waiters) {
      w.reject(new Error(message));
      waiters.delete(id);
    }
    inWorker.value = new Set();
    if (runId.value && (isRunning.value || isPaused.value)) {
      runs.apply({ type: 'error', runId: runId.value, message });
    }
    if (isRunning.value || isPaused.value) {
      status.value = 'error';
      phase.value = null;
      error.value = { message };
      runId.value = null; // the run is over: late messages from it must not revive the live view
    }
  }

  /** Ends a run the worker no longer answers for (it was terminated). */
  function abandon(reason: string): void {
    if (!isRunning.value) return;
    if (runId.value) {
      const done: DoneMessage = { type: 'done', runId: runId.value, stopped: true, testLoss: NaN, testAccuracy: NaN, seconds: 0, examplesSeen: examplesSeen.value };
      runs.apply(done);
      settle(done);
    }
    for (const [id, p] of pending) {
      p.reject(new Error(reason));
      pending.delete(id);
    }
    inWorker.value = new Set();
    status.value = 'stopped';
    phase.value = null;
    phaseMessage.value = reason;
  }

  function handleJob(msg: Extract<FromWorker, { type: 'job-progress' | 'job-result' | 'job-error' }>): void {
    const p = pending.get(msg.jobId);
    if (!p) return;
    if (msg.type === 'job-progress') return p.onProgress?.(msg.fraction, msg.message);
    pending.delete(msg.jobId);
    if (msg.type === 'job-result') p.resolve(msg.result);
    else p.reject(new Error(msg.message));
  }

  /** Tells a startWith caller about its run's message; ends its promise on 'done' or 'error'. */
  function settle(msg: Extract<FromWorker, { runId: string }>): void {
    const w = waiters.get(msg.runId);
    if (!w) return;
    w.onMessage?.(msg);
    if (msg.type !== 'done' && msg.type !== 'error') return;
    waiters.delete(msg.runId);
    if (msg.type === 'done') w.resolve(msg);
    else w.reject(new Error(msg.message));
  }

  function handle(msg: FromWorker): void {
    if (msg.type === 'job-progress' || msg.type === 'job-result' || msg.type === 'job-error') return handleJob(msg);
    settle(msg);
    runs.apply(msg);
    if (msg.runId !== runId.value) return; // a message of another (earlier) run: its record took it
    switch (msg.type) {
      case 'status':
        if (status.value === 'starting') status.value = 'running';
        phase.value = msg.phase;
        if (status.value !== 'stopping' && status.value !== 'pausing') phaseMessage.value = msg.message;
        break;
      case 'backend': {
        backend.value = msg.backend;
        backendLabel.value = msg.label ?? msg.backend;
        attempts.value = msg.attempts;
        const params = runs.byId.get(msg.runId)?.metrics?.params;
        if (msg.measured && params) rememberBackend(params, msg.backend);
        break;
      }
      case 'progress':
        if (status.value === 'starting') status.value = 'running';
        epoch.value = msg.epoch;
        examplesSeen.value = msg.examplesSeen;
        totalExamples.value = msg.totalExamples;
        examplesPerSec.value = msg.examplesPerSec;
        break;
      case 'epoch':
        epoch.value = msg.epoch;
        break;
      case 'filters':
        filtersByBlock.value = new Map(filtersByBlock.value).set(msg.blockId, { runId: msg.runId, blockId: msg.blockId, shape: msg.shape, data: msg.data, version: ++filtersVersion });
        break;
      case 'checkpoint':
        break;
      case 'paused':
        status.value = 'paused';
        phase.value = null;
        phaseMessage.value = `Paused at ${msg.examplesSeen.toLocaleString('en-US')} examples`;
        examplesSeen.value = msg.examplesSeen;
        break;
      case 'notice':
        notices.value = [...notices.value, msg.message];
        break;
      case 'done':
        status.value = msg.stopped ? 'stopped' : 'done';
        phase.value = null;
        phaseMessage.value = msg.stopped ? 'Stopped' : 'Finished';
        void keepWeights(msg.runId);
        break;
      case 'error':
        status.value = 'error';
        phase.value = null;
        error.value = { message: msg.message, blockId: msg.blockId };
        break;
      default:
        assertNever(msg);
    }
  }

  return {
    config, dataset, status, runId, phase, phaseMessage, backend, backendLabel, attempts, epoch, examplesSeen, totalExamples,
    examplesPerSec, error, notices, filters, filtersByBlock, inWorker,
    isRunning, isPaused, fraction,
    setTransport, updateConfig, setConfig, start, startWith, stop, pause, resume, request, cancelJobs, ensureInWorker, keepWeights, fail, abandon, handle,
  };
});
