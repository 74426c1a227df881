// What an experiment is: a claim, the runs that test it, and a verdict computed from the runs'
// numbers (and the lab jobs it asks of their models). Plain data + functions; no tfjs here.
import type { Graph } from '../graph/types';
import type { TrainConfig } from '../train/config';
import type { GradientNormsReading } from '../train/protocol';
import type { LabTask, LabTaskResult } from './types';

export const EXPERIMENT_IDS = [
  'pixels', 'hand-made-features', 'linear-collapse', 'learned-features', 'vanishing-gradients', 'tricks',
  'hidden-features', 'ensembles', 'adversarial', 'sparse-connections', 'autoencoder',
] as const;
export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

export interface LabRun {
  /** Stable within the experiment ('lr', 'linear', …). */
  key: string;
  label: string;
  graph: Graph;
  /** Settings on top of the experiment's base (which is on top of the defaults). */
  config?: Partial<TrainConfig>;
  /** Record per-layer gradient norms every this many steps. */
  gradientNormsEvery?: number;
}

/** What a finished run contributes to the verdict. */
export interface RunOutcome {
  key: string;
  label: string;
  runId: string;
  testAccuracy: number;
  testLoss: number;
  seconds: number;
  examplesSeen: number;
  stopped: boolean;
  gradientNorms: GradientNormsReading[];
}

export interface VerdictContext {
  runs: Record<string, RunOutcome>;
  /** A lab job on a run's kept model (by the run's key). */
  job(runKey: string, task: LabTask): Promise<LabTaskResult>;
  /** Turns another run's key into its id (ensembles name their members). */
  runId(runKey: string): string;
}

/** One row of the comparison the page (and the report) shows. */
export interface ComparisonRow {
  label: string;
  value: number;
  /** 'fraction' values show as percentages. */
  unit: 'fraction' | 'number';
}

export interface Verdict {
  holds: boolean;
  /** The numbers `holds` is computed from (written to the report as they are). */
  numbers: Record<string, unknown>;
  comparison: ComparisonRow[];
  /** One or two sentences: what came out, in words, including when it disagrees with the claim. */
  summary: string;
}

export interface Experiment {
  id: ExperimentId;
  number: number;
  title: string;
  claim: string;
  /** What to look at while it runs and after. */
  lookAt: string;
  /** Why it cannot run yet, when it cannot. */
  unavailable?: string;
  /** Training examples per run unless --limit says otherwise (undefined = all). */
  defaultLimit?: number;
  /** Test examples each run is scored on. */
  testLimit?: number;
  base: Partial<TrainConfig>;
  runs(): LabRun[];
  verdict(ctx: VerdictContext): Promise<Verdict>;
}

export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
export const acc = (label: string, value: number): ComparisonRow => ({ label, value, unit: 'fraction' });

/** Mean of each layer's norm over the readings of a run. */
export function meanNorms(readings: GradientNormsReading[]): Record<string, number> {
  const sum: Record<string, number> = {};
  const n: Record<string, number> = {};
  for (const r of readings) {
    for (const [k, v] of Object.entries(r.norms)) {
      if (!Number.isFinite(v)) continue;
      sum[k] = (sum[k] ?? 0) + v;
      n[k] = (n[k] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.keys(sum).map((k) => [k, sum[k] / n[k]]));
}

/** True when the values never fall by more than `tolerance` from one to the next. */
export function nonDecreasing(values: number[], tolerance = 0): boolean {
  return values.every((v, i) => i === 0 || v >= values[i - 1] - tolerance);
}
