// Runs an experiment through the job server's messages: one 'train' per run (in order), then the
// 'lab' jobs its verdict asks for. The CLI drives it with its in-process Engine, the app with the
// training worker: both implement LabDriver over the same ToWorker/FromWorker messages.
import type { RunRecord } from '../runs/record';
import { newRunRecord, reduceRun } from '../runs/reduce';
import { withDefaults, type BackendName, type TrainConfig } from '../train/config';
import type { DatasetRef, FromWorker, GradientNormsReading, JobResult, ToWorker } from '../train/protocol';
import { checkTrainConfig } from '../train/settings';
import type { Experiment, LabRun, RunOutcome, Verdict } from './experiment';
import type { LabTask, LabTaskResult } from './types';

export type TrainMsg = Extract<ToWorker, { type: 'train' }>;
export type LabJobMsg = Extract<ToWorker, { type: 'lab' }>;
export type DoneMsg = Extract<FromWorker, { type: 'done' }>;

/** What the runner needs of a job server: train to 'done' (reject on 'error'), and run a lab job. */
export interface LabDriver {
  train(msg: TrainMsg, onEvent: (m: FromWorker) => void): Promise<DoneMsg>;
  job(msg: LabJobMsg): Promise<Extract<JobResult, { kind: 'lab' }>>;
}

export interface RunExperimentOptions {
  dataset: DatasetRef;
  /** Training examples per run (per epoch); undefined = the experiment's default; null = all. */
  limit?: number | null;
  /** Test examples per run; undefined = the experiment's default. */
  testLimit?: number;
  backends?: BackendName[];
  wasmBaseUrl?: string;
  /** Distinguishes this session's run ids. */
  idPrefix?: string;
  /** Every message of every run, with the run's key (progress, curves). */
  onEvent?: (run: LabRun, m: FromWorker, record: RunRecord) => void;
  onRunStart?: (run: LabRun, index: number, total: number, runId: string) => void;
  /** Stops before the next run when true. */
  cancelled?: () => boolean;
  now?: () => number;
}

export interface ExperimentReport {
  experiment: Experiment['id'];
  number: number;
  title: string;
  claim: string;
  limit: number | null;
  testLimit: number | null;
  runs: (RunOutcome & { params: number; multiplyAdds: number; config: TrainConfig })[];
  records: RunRecord[];
  verdict: Verdict;
  holds: boolean;
  seconds: number;
}

export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

/** The settings a run trains with: defaults < experiment base < run < the limits asked for. */
export function runConfig(exp: Experiment, run: LabRun, o: Pick<RunExperimentOptions, 'limit' | 'testLimit' | 'backends'>): TrainConfig {
  const limit = o.limit === undefined ? exp.defaultLimit : o.limit ?? undefined;
  const testLimit = o.testLimit ?? exp.testLimit;
  const config = withDefaults({ ...exp.base, ...run.config, maxExamples: limit, maxTestExamples: testLimit, ...(o.backends ? { backends: o.backends } : {}) });
  const problem = checkTrainConfig(config);
  if (problem) throw new LabError(`${exp.id}/${run.key}: ${problem}`);
  return config;
}

export async function runExperiment(exp: Experiment, driver: LabDriver, o: RunExperimentOptions): Promise<ExperimentReport> {
  if (exp.unavailable) throw new LabError(`experiment ${exp.id} cannot run yet: ${exp.unavailable}`);
  const now = o.now ?? (() => Date.now());
  const t0 = now();
  const runs = exp.runs();
  const prefix = o.idPrefix ?? `lab-${Math.floor(t0).toString(36)}`;
  const idOf = (key: string) => `${prefix}-${exp.id}-${key}`;
  const outcomes: Record<string, RunOutcome> = {};
  const rows: ExperimentReport['runs'] = [];
  const records: RunRecord[] = [];
  for (const [i, run] of runs.entries()) {
    if (o.cancelled?.()) throw new LabError('cancelled');
    const config = runConfig(exp, run, o);
    const runId = idOf(run.key);
    o.onRunStart?.(run, i, runs.length, runId);
    let record: RunRecord = { ...newRunRecord(runId, `${exp.title}: ${run.label}`, run.graph, config, Date.now()), lab: { experiment: exp.id, variant: run.key } };
    const norms: GradientNormsReading[] = [];
    const done = await driver.train(
      {
        type: 'train', runId, graph: run.graph, config, dataset: o.dataset,
        ...(o.wasmBaseUrl ? { wasmBaseUrl: o.wasmBaseUrl } : {}),
        ...(run.gradientNormsEvery ? { gradientNormsEvery: run.gradientNormsEvery } : {}),
      },
      (m) => {
        record = reduceRun(record, m);
        if (m.type === 'progress' && m.gradientNorms) norms.push(...m.gradientNorms);
        o.onEvent?.(run, m, record);
      },
    );
    const outcome: RunOutcome = {
      key: run.key, label: run.label, runId, testAccuracy: done.testAccuracy, testLoss: done.testLoss,
      seconds: done.seconds, examplesSeen: done.examplesSeen, stopped: done.stopped, gradientNorms: norms,
    };
    outcomes[run.key] = outcome;
    records.push(record);
    rows.push({ ...outcome, params: record.metrics?.params ?? NaN, multiplyAdds: record.metrics?.multiplyAdds ?? NaN, config });
  }
  let jobs = 0;
  const verdict = await exp.verdict({
    runs: outcomes,
    runId: (key) => {
      if (!outcomes[key]) throw new LabError(`${exp.id}: no run "${key}"`);
      return outcomes[key].runId;
    },
    job: async (key: string, task: LabTask): Promise<LabTaskResult> => {
      const r = outcomes[key];
      if (!r) throw new LabError(`${exp.id}: no run "${key}"`);
      const res = await driver.job({ type: 'lab', jobId: `${prefix}-${exp.id}-job-${++jobs}`, runId: r.runId, task });
      return res.result;
    },
  });
  const limit = o.limit === undefined ? exp.defaultLimit ?? null : o.limit;
  return {
    experiment: exp.id, number: exp.number, title: exp.title, claim: exp.claim, limit, testLimit: o.testLimit ?? exp.testLimit ?? null,
    runs: rows, records, verdict, holds: verdict.holds, seconds: (now() - t0) / 1000,
  };
}
