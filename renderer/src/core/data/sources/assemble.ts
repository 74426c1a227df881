// Raw examples (pixels + label values) → the in-memory train/test datasets and their summary:
// label values mapped to class indices (numbers in numeric order, names in natural order),
// a stratified seeded test split when the data has none, statistics, and the warnings a user
// should see before training (imbalance, duplicates, classes with too few examples).
import { labelArray, seededRandom, type ImageDataset } from '../arrays';
import { DataImportError, type DatasetSummary, type ImportedDataset, type ImportOptions, type Normalization, type Skipped } from './types';

/** Examples of one split as parsed: count × H×W×C values and one label value each. */
export interface RawSplit {
  pixels: Uint8Array | Float32Array;
  labels: (string | number)[];
}

export interface RawDataset {
  name: string;
  format: DatasetSummary['format'];
  shape: [number, number, number];
  train: RawSplit;
  test?: RawSplit;
  skipped: Skipped[];
  sizes?: DatasetSummary['sizes'];
}

const FEW = 5;

function classOrder(values: Iterable<string | number>): string[] {
  const set = new Set<string | number>(values);
  const all = [...set];
  if (all.every((v) => typeof v === 'number')) return (all as number[]).sort((a, b) => a - b).map(String);
  return all.map(String).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function toDataset(raw: RawSplit, shape: [number, number, number], classes: string[], index: Map<string, number>): ImageDataset {
  const [height, width, channels] = shape;
  const count = raw.labels.length;
  const labels = labelArray(count, classes.length);
  raw.labels.forEach((v, i) => (labels[i] = index.get(String(v)) ?? 0));
  return { images: raw.pixels, labels, count, height, width, channels, classes: classes.length, classNames: classes };
}

/** Picks test examples per class (stratified), `fraction` of each class, in a seeded order. */
export function stratifiedSplit(labels: ArrayLike<number>, classes: number, fraction: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const rnd = seededRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    // At least one test example per class with two or more, so every class is tested.
    const k = members.length < 2 ? 0 : Math.max(1, Math.round(members.length * fraction));
    test.push(...members.slice(0, k));
    train.push(...members.slice(k));
  }
  return { train: Uint32Array.from(train).sort(), test: Uint32Array.from(test).sort() };
}

/** A new dataset holding examples `indices` of `ds`. */
export function subset(ds: ImageDataset, indices: Uint32Array): ImageDataset {
  const size = ds.height * ds.width * ds.channels;
  const images = ds.images instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
  const labels = labelArray(indices.length, ds.classes);
  indices.forEach((idx, i) => {
    images.set(ds.images.subarray(idx * size, (idx + 1) * size), i * size);
    labels[i] = ds.labels[idx];
  });
  return { ...ds, images, labels, count: indices.length };
}

function counts(ds: ImageDataset): number[] {
  const out = new Array<number>(ds.classes).fill(0);
  for (let i = 0; i < ds.count; i++) out[ds.labels[i]]++;
  return out;
}

/** Per-channel mean and std of the values in the model's range (bytes /255). */
export function channelStats(ds: ImageDataset): { mean: number[]; std: number[] } {
  const c = ds.channels;
  const scale = ds.images instanceof Uint8Array ? 1 / 255 : 1;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const n = ds.images.length / c;
  for (let i = 0; i < ds.images.length; i++) {
    const v = ds.images[i] * scale;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const mean = Array.from(sum, (s) => (n ? s / n : 0));
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(0, (n ? s / n : 0) - mean[k] * mean[k])));
  return { mean, std };
}

/**
 * Examples whose content equals an earlier one's, over train and test together (a test example
 * that is also in train inflates test accuracy). FNV-1a hashes, collisions checked byte by byte.
 */
function countDuplicates(sets: ImageDataset[]): number {
  const seen = new Map<number, Uint8Array[]>();
  let dup = 0;
  for (const ds of sets) {
    const bytes = new Uint8Array(ds.images.buffer, ds.images.byteOffset, ds.images.byteLength);
    const step = ds.height * ds.width * ds.channels * ds.images.BYTES_PER_ELEMENT;
    for (let i = 0; i < ds.count; i++) {
      const ex = bytes.subarray(i * step, (i + 1) * step);
      let h = 0x811c9dc5;
      for (let p = 0; p < ex.length; p++) h = Math.imul(h ^ ex[p], 0x01000193);
      const same = seen.get(h);
      if (same?.some((o) => o.every((b, k) => b === ex[k]))) dup++;
      else if (same) same.push(ex);
      else seen.set(h, [ex]);
    }
  }
  return dup;
}

/** The mean/std a normalization mode applies, from the train split's channel statistics; null for 'unit'. */
export function normalizationFrom(stats: { mean: number[]; std: number[] }, norm: Normalization): { mean: number[]; std: number[] } | null {
  if (norm === 'unit') return null;
  const c = stats.mean.length;
  const pooledMean = stats.mean.reduce((a, b) => a + b, 0) / c;
  const pooledStd = Math.sqrt(stats.std.reduce((a, s, k) => a + s * s + (stats.mean[k] - pooledMean) ** 2, 0) / c);
  const mean = norm === 'per-channel' ? stats.mean : new Array<number>(c).fill(pooledMean);
  const std = (norm === 'per-channel' ? stats.std : new Array<number>(c).fill(pooledStd)).map((s) => s || 1);
  return { mean, std };
}

/**
 * What a user should see before training: class imbalance, classes with few examples, duplicates,
 * skipped files. Shared by the in-memory import and the disk-backed one (store/folder-import.ts).
 */
export function importWarnings(classes: string[], trainCounts: number[], testCounts: number[], duplicates: number, skipped: number): string[] {
  const warnings: string[] = [];
  const total = trainCounts.map((n, k) => n + testCounts[k]);
  const max = Math.max(...total);
  const min = Math.min(...total);
  if (min > 0 && max / min >= 3) {
    warnings.push(`class imbalance: "${classes[total.indexOf(max)]}" has ${max} examples, "${classes[total.indexOf(min)]}" only ${min}`);
  }
  total.forEach((n, k) => {
    if (n < FEW) warnings.push(`class "${classes[k]}" has only ${n} example${n === 1 ? '' : 's'}`);
  });
  if (duplicates) warnings.push(`${duplicates} duplicate example${duplicates === 1 ? '' : 's'} (same pixels as an earlier one, train and test together)`);
  if (skipped) warnings.push(`${skipped} skipped (${skipped === 1 ? 'it is' : 'each is'} listed below with the reason)`);
  return warnings;
}

/** Builds the datasets and their summary; refuses data that cannot train a classifier. */
export function assemble(raw: RawDataset, options: ImportOptions = {}): ImportedDataset {
  const all = [...raw.train.labels, ...(raw.test?.labels ?? [])];
  if (all.length === 0) throw new DataImportError(`${raw.name}: no usable examples`, raw.skipped);
  const classes = classOrder(all);
  if (classes.length < 2) {
    throw new DataImportError(`${raw.name}: only one class (${classes[0]}) — a classifier needs at least two`, raw.skipped);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  let train = toDataset(raw.train, raw.shape, classes, index);
  let test: ImageDataset;
  let testSource: DatasetSummary['testSource'] = 'given';
  if (raw.test && raw.test.labels.length) test = toDataset(raw.test, raw.shape, classes, index);
  else {
    testSource = 'split';
    const split = stratifiedSplit(train.labels, classes.length, options.testFraction ?? 0.2, options.seed ?? 1);
    test = subset(train, split.test);
    train = subset(train, split.train);
  }
  const stats = channelStats(train);
  const norm = normalizationFrom(stats, options.normalization ?? 'unit');
  if (norm) for (const ds of [train, test]) Object.assign(ds, norm);
  const trainCounts = counts(train);
  const testCounts = counts(test);
  const duplicates = countDuplicates([train, test]);
  const warnings = importWarnings(classes, trainCounts, testCounts, duplicates, raw.skipped.length);
  return {
    data: { train, test },
    summary: {
      name: raw.name, format: raw.format, classes, counts: { train: trainCounts, test: testCounts }, shape: raw.shape,
      train: train.count, test: test.count, testSource, dtype: raw.train.pixels instanceof Uint8Array ? 'uint8' : 'float32',
      mean: stats.mean, std: stats.std, sizes: raw.sizes ?? [], duplicates, skipped: raw.skipped, warnings,
    },
  };
}
