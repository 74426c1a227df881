// What the run history shows about a run, and the pure formatting behind it. Kept apart from the
// components so the store can build rows and the helpers can be unit-tested without a DOM.
import type { RunRecord, RunState } from '../core/runs/record';
import { withDefaults, type TrainConfig } from '../core/train/config';
import type { RunCurves } from '../core/train/protocol';

export interface RunRow {
  id: string;
  name: string;
  state: RunState;
  createdAt: number;
  /** Epochs completed, and planned. */
  epoch: number;
  epochs: number;
  testAccuracy?: number;
  /** The run's output is a reconstruction (an autoencoder): accuracy does not apply, its score is the test MSE. */
  reconstruction?: boolean;
  testLoss?: number;
  params: number;
  multiplyAdds: number;
  optimizer: string;
  learningRate: number;
  seconds?: number;
  color: string;
  /** The canvas has been edited since this run: its network is an older version. */
  stale: boolean;
  resumable: boolean;
  /** The short settings line (describeSettings); falls back to optimizer and learning rate. */
  settings?: string;
  /** The project document the run belongs to (core/runs/owner.ts); absent for records older than that. */
  project?: string;
}

/** A run whose curves the compare chart overlays. */
export interface CompareRun {
  id: string;
  name: string;
  color: string;
  curves: RunCurves;
}

/** A point of the trade-off chart: one finished run. */
export interface TradeoffPoint {
  id: string;
  name: string;
  color: string;
  testAccuracy: number;
  params: number;
  multiplyAdds: number;
}

// Bright, mutually distinct hues that read on the dark surfaces; red is left out so no run looks
// like an error.
const PALETTE = ['#4c8dff', '#f2b544', '#3ccf91', '#ff7ab6', '#9b7bff', '#2bd4e6', '#ff8a4c', '#c5e04f', '#d98cff', '#b0bccd'];

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** The colour of the index-th run. Give each run its index once (creation order) so colours stay put. */
export function runColor(index: number): string {
  const i = Math.abs(Math.trunc(index)) || 0;
  if (i < PALETTE.length) return PALETTE[i];
  // Past the palette: golden-angle hues keep neighbours apart without repeating a colour.
  return hslToHex((i * 137.508 + 20) % 360, 0.7, 0.66);
}

const UNITS: [string, number][] = [['k', 1e3], ['M', 1e6], ['G', 1e9], ['T', 1e12]];

/** A count in about three significant digits: 7,850 → "7.9k", 857,738 → "858k", 1.2e6 → "1.2M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const a = Math.round(Math.abs(n));
  if (a < 1000) return sign + String(a);
  for (let i = 0; i < UNITS.length; i++) {
    const [unit, div] = UNITS[i];
    const v = a / div;
    const f = v < 100 ? 10 : 1;
    // Divide by an exact power of ten so halves round up (7,850 → 7.9, not 7.8 from 7.8499…).
    const r = Math.round(a / (div / f)) / f;
    // 999,960 rounds to 1000k: move to the next unit instead.
    if (r < 1000 || i === UNITS.length - 1) return sign + String(r) + unit;
  }
  return sign + String(a);
}

/** Training time: "0.4 s", "42 s", "3m 05s", "1h 02m". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 9.95) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A fraction as a percentage with two decimals, or "—". */
export function formatPercent(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(2)}%`;
}

/** A setting's number without float noise: 0.001, 1e-7, 0.0003. */
const num = (v: number) => String(+v.toPrecision(3));

type SettingsInput = Pick<TrainConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'> & Partial<TrainConfig>;

/** One short line for a run's settings: "adam 0.001 · batch 32 · 1 ep", plus the tricks that are on. */
export function describeSettings(config: SettingsInput): string {
  const parts = [`${config.optimizer} ${num(config.learningRate)}`, `batch ${config.batchSize}`, `${config.epochs} ep`];
  if (config.schedule && config.schedule !== 'constant') parts.push(config.schedule);
  if (config.weightDecay) parts.push(`wd ${num(config.weightDecay)}`);
  if (config.clip && config.clip !== 'none' && config.clipValue !== undefined) parts.push(`clip ${config.clip} ${num(config.clipValue)}`);
  if (config.earlyStopping) parts.push('early stop');
  if (config.maxExamples !== undefined) parts.push(`≤${formatCount(config.maxExamples)} ex`);
  return parts.join(' · ');
}

export interface ConfigDifference {
  key: keyof TrainConfig;
  a: unknown;
  b: unknown;
}

const same = (x: unknown, y: unknown) => x === y || JSON.stringify(x) === JSON.stringify(y);

/**
 * The settings that differ between two runs, in the order of the settings' definition. Both are
 * completed with the defaults first, so a record from an older file does not differ only for a
 * setting it predates.
 */
export function diffConfigs(a: Partial<TrainConfig>, b: Partial<TrainConfig>): ConfigDifference[] {
  const fa = withDefaults(a) as TrainConfig & Record<string, unknown>;
  const fb = withDefaults(b) as TrainConfig & Record<string, unknown>;
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])] as (keyof TrainConfig)[];
  return keys.filter((k) => !same(fa[k], fb[k])).map((k) => ({ key: k, a: fa[k], b: fb[k] }));
}

/** A difference as "learningRate 0.001 → 0.01" ("—" for a setting one run does not have). */
export function describeDifference(d: ConfigDifference): string {
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'number' ? num(v) : Array.isArray(v) ? v.join('>') : String(v));
  return `${d.key} ${show(d.a)} → ${show(d.b)}`;
}

/** A row for a stored run. Colour index, staleness and resumability are the store's to decide. */
export function toRunRow(
  run: RunRecord,
  opts: { colorIndex: number; stale: boolean; resumable: boolean; params?: number; multiplyAdds?: number },
): RunRow {
  return {
    id: run.id,
    name: run.name,
    state: run.state,
    createdAt: run.createdAt,
    epoch: run.epoch,
    epochs: run.config.epochs,
    testAccuracy: run.metrics?.testAccuracy,
    testLoss: run.metrics?.testLoss,
    reconstruction: run.graph.blocks.some((b) => b.type === 'Reconstruction'),
    // A running run has no metrics yet; the caller may know the counts from the graph.
    params: run.metrics?.params ?? opts.params ?? 0,
    multiplyAdds: run.metrics?.multiplyAdds ?? opts.multiplyAdds ?? 0,
    optimizer: run.config.optimizer,
    learningRate: run.config.learningRate,
    seconds: run.metrics?.seconds,
    color: runColor(opts.colorIndex),
    stale: opts.stale,
    resumable: opts.resumable,
    settings: describeSettings(run.config),
    ...(run.project ? { project: run.project } : {}),
  };
}

/**
 * What the history shows as a run's result: the test accuracy, or for a reconstruction (accuracy
 * NaN: it does not apply) the test loss, which is its mean squared error.
 */
export function runScore(r: Pick<RunRow, 'testAccuracy' | 'testLoss' | 'reconstruction'>): { text: string; title: string; value: number | undefined } {
  if (r.reconstruction) {
    const mse = r.testLoss;
    const has = mse !== undefined && Number.isFinite(mse);
    return { text: has ? `MSE ${mse.toPrecision(3)}` : '—', title: has ? 'Test reconstruction error (mean squared error): accuracy does not apply to an autoencoder' : 'No test error yet', value: has ? mse : undefined };
  }
  return { text: formatPercent(r.testAccuracy), title: r.testAccuracy === undefined ? 'No test accuracy yet' : 'Test accuracy', value: r.testAccuracy };
}

/** The trade-off chart's points: runs with a test accuracy and a positive size (the x axis is logarithmic); reconstructions are left out. */
export function tradeoffPoints(rows: readonly RunRow[]): TradeoffPoint[] {
  return rows
    .filter((r) => !r.reconstruction && r.testAccuracy !== undefined && Number.isFinite(r.testAccuracy) && r.params > 0)
    .map((r) => ({ id: r.id, name: r.name, color: r.color, testAccuracy: r.testAccuracy as number, params: r.params, multiplyAdds: r.multiplyAdds }));
}

/** Text for ECharts' HTML tooltips: run names are typed by the user. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
