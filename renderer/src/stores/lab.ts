// The lab in the app: runs an experiment of core/lab through the app's training worker. Each of its
// runs goes through the training store (startWith), so it is shown live and kept in the run history
// like any run; the verdict's lab jobs go through the store's request(). When the experiment ends,
// its runs are overlaid in the run history and its report is kept for the Lab tab.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Experiment, ExperimentId } from '../core/lab/experiment';
import { EXPERIMENTS, experimentById } from '../core/lab/experiments';
import { LabError, runExperiment, type ExperimentReport, type LabDriver } from '../core/lab/runner';
import type { Graph } from '../core/graph/types';
import type { LabTask } from '../core/lab/types';
import type { BackendName, TrainConfig } from '../core/train/config';
import type { DatasetRef, FromWorker, JobResult } from '../core/train/protocol';
import { useHost } from '../composables/useHost';
import { useRunsStore } from './runs';
import { useTrainingStore, type StartedRun, type StartOptions } from './training';

/** What the app's driver needs of the training store: start a recorded run, and send a job. */
export interface LabTransport {
  startWith(graph: Graph, config: TrainConfig, name: string, opts?: StartOptions): StartedRun | null;
  request(
    job: { type: 'lab'; runId: string; task: LabTask },
    onProgress?: (fraction: number, message: string) => void,
    signal?: AbortSignal,
  ): Promise<JobResult>;
}

export interface AppDriverOptions {
  /** The run-history name of a run, by its id. */
  name: (runId: string) => string;
  /** Aborting cancels the running job and ends the experiment after the run that is training. */
  signal?: AbortSignal;
  onJobProgress?: (fraction: number, message: string) => void;
  /** Called once a run's record exists (the lab marks it as its own). */
  onStarted?: (runId: string) => void;
}

/** A LabDriver over the app's worker (the training store's transport). */
export function appLabDriver(t: LabTransport, o: AppDriverOptions): LabDriver {
  const cancelled = () => new LabError('cancelled');
  return {
    async train(msg, onEvent) {
      if (o.signal?.aborted) throw cancelled();
      // The record says it recorded norms, so a resumed run goes on recording them.
      const config = msg.gradientNormsEvery ? { ...msg.config, recordGradientNorms: true } : msg.config;
      const started = t.startWith(msg.graph, config, o.name(msg.runId), {
        runId: msg.runId, dataset: msg.dataset, onMessage: onEvent,
        ...(msg.gradientNormsEvery ? { gradientNormsEvery: msg.gradientNormsEvery } : {}),
      });
      if (!started) throw new LabError('Another run is training (or the settings are invalid): stop it, then run the experiment.');
      o.onStarted?.(started.runId);
      const done = await started.ended;
      if (o.signal?.aborted) throw cancelled();
      return done;
    },
    async job(msg) {
      if (o.signal?.aborted) throw cancelled();
      // The store names its own jobs (it routes the replies by that id).
      const r = await t.request({ type: 'lab', runId: msg.runId, task: msg.task }, o.onJobProgress, o.signal);
      if (r.kind !== 'lab') throw new LabError(`a lab job answered with "${r.kind}"`);
      return r;
    },
  };
}

export type RunProgressState = 'waiting' | 'running' | 'done' | 'stopped' | 'error';
export interface RunProgress {
  key: string;
  label: string;
  runId: string | null;
  state: RunProgressState;
  /** 0..1 of the run's planned examples. */
  fraction: number;
}
export type LabStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

let sessions = 0;

export const useLabStore = defineStore('lab', () => {
  const training = useTrainingStore();
  const runs = useRunsStore();

  // State
  const experiments: readonly Experiment[] = EXPERIMENTS;
  const selectedId = ref<ExperimentId>(EXPERIMENTS[0].id);
  /** Training examples per run the user chose, per experiment (null = all); absent = its default. */
  const limits = ref<Partial<Record<ExperimentId, number | null>>>({});
  const status = ref<LabStatus>('idle');
  const runningId = ref<ExperimentId | null>(null);
  /** The experiment the progress, status and error are about (the latest one run). */
  const lastId = ref<ExperimentId | null>(null);
  const progress = ref<RunProgress[]>([]);
  const jobMessage = ref('');
  const error = ref<string | null>(null);
  /** The latest report of each experiment run in this session. */
  const reports = shallowRef<Partial<Record<ExperimentId, ExperimentReport>>>({});
  let abort: AbortController | null = null;

  // Getters
  const selected = computed(() => experimentById(selectedId.value) ?? EXPERIMENTS[0]);
  const isRunning = computed(() => status.value === 'running');
  const report = computed(() => reports.value[selectedId.value] ?? null);
  const limitOf = (id: ExperimentId): number | null => {
    const chosen = limits.value[id];
    return chosen !== undefined ? chosen : experimentById(id)?.defaultLimit ?? null;
  };
  /** The backends the lab trains on: the user's choice, else wasm (the same numbers everywhere, no shader compiles). */
  // A plain copy: the runner structured-clones the config, which a reactive array cannot be.
  const backends = computed<BackendName[]>(() => [...(training.config.backends ?? ['wasm'])]);

  // Actions
  function select(id: ExperimentId): void {
    selectedId.value = id;
  }

  function setLimit(id: ExperimentId, limit: number | null | undefined): void {
    const next = { ...limits.value };
    if (limit === undefined) delete next[id];
    else next[id] = limit;
    limits.value = next;
  }

  function setRun(i: number, patch: Partial<RunProgress>): void {
    progress.value = progress.value.map((p, j) => (j === i ? { ...p, ...patch } : p));
  }

  /** Runs one experiment to its verdict. Resolves with its report, or null when it failed or was cancelled. */
  async function run(id: ExperimentId, dataset?: DatasetRef): Promise<ExperimentReport | null> {
    const exp = experimentById(id);
    if (!exp || isRunning.value) return null;
    selectedId.value = id;
    lastId.value = id;
    error.value = null;
    if (exp.unavailable) {
      status.value = 'error';
      error.value = `This experiment cannot run yet: ${exp.unavailable}.`;
      return null;
    }
    if (training.isRunning) {
      status.value = 'error';
      error.value = 'A run is training: stop it (or let it finish), then run the experiment.';
      return null;
    }
    const plan = exp.runs();
    progress.value = plan.map((r) => ({ key: r.key, label: r.label, runId: null, state: 'waiting', fraction: 0 }));
    const labels = new Map<string, string>();
    const keys = new Map<string, string>();
    const index = new Map<string, number>();
    const ctrl = new AbortController();
    abort = ctrl;
    status.value = 'running';
    runningId.value = id;
    jobMessage.value = '';
    const driver = appLabDriver(training, {
      name: (runId) => `${exp.title} · ${labels.get(runId) ?? runId}`,
      signal: ctrl.signal,
      onJobProgress: (_f, message) => (jobMessage.value = message),
      // The record says which experiment and run it belongs to (the run summary shows it as a lab run).
      onStarted: (runId) => {
        const key = keys.get(runId);
        if (key !== undefined && runs.byId.has(runId)) runs.update(runId, { lab: { experiment: id, variant: key } });
      },
    });
    try {
      const rep = await runExperiment(exp, driver, {
        dataset: dataset ?? { kind: 'mnist', baseUrl: useHost().mnistBaseUrl() },
        limit: limitOf(id),
        backends: backends.value,
        idPrefix: `lab_${Date.now().toString(36)}_${++sessions}`,
        cancelled: () => ctrl.signal.aborted,
        onRunStart: (r, i, _n, runId) => {
          labels.set(runId, r.label);
          keys.set(runId, r.key);
          index.set(r.key, i);
          setRun(i, { runId, state: 'running' });
        },
        onEvent: (r, m: FromWorker) => {
          const i = index.get(r.key);
          if (i === undefined) return;
          if (m.type === 'progress' && m.totalExamples > 0) setRun(i, { fraction: Math.min(1, m.examplesSeen / m.totalExamples) });
          else if (m.type === 'done') setRun(i, { state: m.stopped ? 'stopped' : 'done', fraction: m.stopped ? progress.value[i].fraction : 1 });
          else if (m.type === 'error') setRun(i, { state: 'error' });
        },
      });
      reports.value = { ...reports.value, [id]: rep };
      status.value = 'done';
      // The experiment's runs, overlaid in the run history.
      runs.overlayIds = rep.runs.map((r) => r.runId).filter((rid) => runs.byId.has(rid));
      return rep;
    } catch (e) {
      if (ctrl.signal.aborted) {
        status.value = 'cancelled';
      } else {
        status.value = 'error';
        error.value = e instanceof Error ? e.message : String(e);
      }
      progress.value = progress.value.map((p) => (p.state === 'running' ? { ...p, state: ctrl.signal.aborted ? 'stopped' : 'error' } : p));
      return null;
    } finally {
      jobMessage.value = '';
      runningId.value = null;
      abort = null;
    }
  }

  /** Ends the experiment: the training run stops after its batch, a running job is cancelled. */
  function cancel(): void {
    if (!abort) return;
    abort.abort();
    const ours = progress.value.some((p) => p.runId !== null && p.runId === training.runId);
    if (ours && (training.isRunning || training.isPaused)) training.stop();
  }

  return {
    experiments, selectedId, limits, status, runningId, lastId, progress, jobMessage, error, reports,
    selected, isRunning, report, backends, limitOf,
    select, setLimit, run, cancel,
  };
});
