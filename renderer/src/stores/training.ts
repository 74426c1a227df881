// Training settings and the state of the current run, fed by the worker's FromWorker messages.
// The store never owns the Worker: a composable attaches a transport (postMessage) and routes
// replies to handle(), which keeps this store testable without a worker.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import {
  DEFAULT_TRAIN_CONFIG,
  type BackendAttempt, type BackendName, type FromWorker, type ToWorker, type TrainConfig, type TrainPhase,
} from '../core/train/protocol';
import { checkTrainConfig } from '../core/train/settings';
import type { Graph } from '../core/graph/types';
import { useHost } from '../composables/useHost';

export type RunStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'done' | 'stopped' | 'error';
/** [examples seen, value] — the x axis of every curve is training progress in examples. */
export type CurvePoint = [number, number];
export interface FilterSnapshot {
  blockId: string;
  shape: [number, number, number, number];
  data: Float32Array;
  /** Counts snapshots so views can tell a refresh from a re-render. */
  version: number;
}
export interface RunResult {
  testAccuracy: number;
  testLoss: number;
  seconds: number;
  stopped: boolean;
}
export interface Transport {
  post(msg: ToWorker): void;
  /** Where the wasm backend finds its binaries; environment knowledge the store should not have. */
  wasmBaseUrl?: string;
}

let runCounter = 0;

export const useTrainingStore = defineStore('training', () => {
  // State
  const config = ref<TrainConfig>({ ...DEFAULT_TRAIN_CONFIG });
  const dataset = ref<'mnist'>('mnist');
  const status = ref<RunStatus>('idle');
  const runId = ref<string | null>(null);
  const phase = ref<TrainPhase | null>(null);
  const phaseMessage = ref('');
  const backend = ref<BackendName | null>(null);
  const attempts = ref<BackendAttempt[]>([]);
  const epoch = ref(0);
  const examplesSeen = ref(0);
  const totalExamples = ref(0);
  const examplesPerSec = ref(0);
  const trainLoss = shallowRef<CurvePoint[]>([]);
  const trainAcc = shallowRef<CurvePoint[]>([]);
  const valLoss = shallowRef<CurvePoint[]>([]);
  const valAcc = shallowRef<CurvePoint[]>([]);
  const result = ref<RunResult | null>(null);
  const error = ref<{ message: string; blockId?: string } | null>(null);
  const filters = shallowRef<FilterSnapshot | null>(null);
  let transport: Transport | null = null;

  // Getters
  const isRunning = computed(() => status.value === 'starting' || status.value === 'running' || status.value === 'stopping');
  const fraction = computed(() => (totalExamples.value > 0 ? Math.min(1, examplesSeen.value / totalExamples.value) : 0));
  const lastLoss = computed(() => trainLoss.value[trainLoss.value.length - 1]?.[1]);

  // Actions
  function setTransport(t: Transport | null): void {
    transport = t;
  }

  function updateConfig(patch: Partial<TrainConfig>): void {
    config.value = { ...config.value, ...patch };
  }

  function setConfig(next: TrainConfig): void {
    config.value = { ...next };
  }

  function resetRun(): void {
    phase.value = null;
    phaseMessage.value = '';
    epoch.value = 0;
    examplesSeen.value = 0;
    totalExamples.value = 0;
    examplesPerSec.value = 0;
    trainLoss.value = [];
    trainAcc.value = [];
    valLoss.value = [];
    valAcc.value = [];
    result.value = null;
    error.value = null;
    filters.value = null;
  }

  /** Starts a run on a snapshot of the graph. Returns the run id, or null when one is running or the settings are invalid. */
  function start(graph: Graph): string | null {
    if (isRunning.value) return null;
    if (!transport) throw new Error('The training worker is not connected.');
    resetRun();
    const problem = checkTrainConfig(config.value);
    if (problem) {
      // Shown in the training panel like a failed run; nothing is sent to the worker.
      runId.value = null;
      status.value = 'error';
      phaseMessage.value = '';
      error.value = { message: problem };
      return null;
    }
    const id = `run_${Date.now().toString(36)}_${++runCounter}`;
    runId.value = id;
    status.value = 'starting';
    phaseMessage.value = 'Starting…';
    backend.value = null;
    attempts.value = [];
    try {
      transport.post({
        type: 'train', runId: id, graph,
        // Plain JSON copy: nested reactive proxies (e.g. the backends array) cannot be posted.
        config: JSON.parse(JSON.stringify(config.value)) as TrainConfig,
        dataset: { kind: 'mnist', baseUrl: useHost().mnistBaseUrl() },
        ...(transport.wasmBaseUrl ? { wasmBaseUrl: transport.wasmBaseUrl } : {}),
      });
    } catch (e) {
      fail(`Could not start training: ${e instanceof Error ? e.message : String(e)}`);
    }
    return id;
  }

  function stop(): void {
    if (!isRunning.value || !runId.value) return;
    status.value = 'stopping';
    phaseMessage.value = 'Stopping after this batch…';
    transport?.post({ type: 'stop', runId: runId.value });
  }

  /** The worker died or could not load: end the run with a message. */
  function fail(message: string): void {
    if (!isRunning.value) return;
    status.value = 'error';
    phase.value = null;
    error.value = { message };
    runId.value = null; // the run is over: late messages from it (a 'done') must not revive it
  }

  /** Ends a run the worker no longer answers for (it was terminated). */
  function abandon(reason: string): void {
    if (!isRunning.value) return;
    status.value = 'stopped';
    phase.value = null;
    phaseMessage.value = reason;
  }

  function handle(msg: FromWorker): void {
    if (msg.runId !== runId.value) return; // a late message from an earlier run
    switch (msg.type) {
      case 'status':
        if (status.value === 'starting') status.value = 'running';
        phase.value = msg.phase;
        if (status.value !== 'stopping') phaseMessage.value = msg.message;
        break;
      case 'backend':
        backend.value = msg.backend;
        attempts.value = msg.attempts;
        break;
      case 'progress':
        if (status.value === 'starting') status.value = 'running';
        epoch.value = msg.epoch;
        examplesSeen.value = msg.examplesSeen;
        totalExamples.value = msg.totalExamples;
        examplesPerSec.value = msg.examplesPerSec;
        // New arrays (not push) so shallowRef watchers and charts see the change.
        if (Number.isFinite(msg.loss)) trainLoss.value = [...trainLoss.value, [msg.examplesSeen, msg.loss]];
        if (Number.isFinite(msg.accuracy)) trainAcc.value = [...trainAcc.value, [msg.examplesSeen, msg.accuracy]];
        break;
      case 'epoch':
        epoch.value = msg.epoch;
        if (Number.isFinite(msg.valLoss)) valLoss.value = [...valLoss.value, [examplesSeen.value, msg.valLoss]];
        if (Number.isFinite(msg.valAccuracy)) valAcc.value = [...valAcc.value, [examplesSeen.value, msg.valAccuracy]];
        break;
      case 'filters':
        filters.value = { blockId: msg.blockId, shape: msg.shape, data: msg.data, version: (filters.value?.version ?? 0) + 1 };
        break;
      case 'done':
        status.value = msg.stopped ? 'stopped' : 'done';
        phase.value = null;
        phaseMessage.value = msg.stopped ? 'Stopped' : 'Finished';
        result.value = { testAccuracy: msg.testAccuracy, testLoss: msg.testLoss, seconds: msg.seconds, stopped: msg.stopped };
        break;
      case 'error':
        status.value = 'error';
        phase.value = null;
        error.value = { message: msg.message, blockId: msg.blockId };
        break;
    }
  }

  return {
    config, dataset, status, runId, phase, phaseMessage, backend, attempts, epoch, examplesSeen, totalExamples,
    examplesPerSec, trainLoss, trainAcc, valLoss, valAcc, result, error, filters,
    isRunning, fraction, lastLoss,
    setTransport, updateConfig, setConfig, start, stop, fail, abandon, handle,
  };
});
