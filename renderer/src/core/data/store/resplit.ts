// Another split or normalization for a stored image dataset without decoding it again: the test
// split is drawn again from the stored labels (as the import draws it: stratified, seeded, over the
// kept examples in order) unless the data had its own test/ folder, and the statistics come from
// one sequential read of examples.bin (the same integer sums the import keeps, so the same numbers).
import type { ImportOptions } from '../sources/types';
import { importWarnings, normalizationFrom, stratifiedSplit } from '../sources/assemble';
import { statsOf } from './examples-writer';
import { readFully, readStoredMeta } from './stored';
import { EXAMPLES_FILE, type ByteFolder, type StoredDatasetMeta } from './types';

export type SplitOptions = Pick<ImportOptions, 'testFraction' | 'seed' | 'normalization'>;

const same = (a: SplitOptions, b: SplitOptions) =>
  (a.testFraction ?? 0.2) === (b.testFraction ?? 0.2) && (a.seed ?? 1) === (b.seed ?? 1) && (a.normalization ?? 'unit') === (b.normalization ?? 'unit');

/** Bytes read at a time while summing. */
const READ_BYTES = 8 << 20;

/**
 * The description of `folder`'s dataset under `options` (`changed` false: the stored one, they are
 * its own). Only uint8 datasets (image folders); nothing is written: the caller decides.
 */
export async function resplitStored(folder: ByteFolder, options: SplitOptions): Promise<{ meta: StoredDatasetMeta; changed: boolean }> {
  const meta = await readStoredMeta(folder);
  if (same(meta.options, options)) return { meta, changed: false };
  if (meta.dtype !== 'uint8') throw new Error('only byte datasets can be split again without importing them');
  const [h, w, channels] = meta.shape;
  const px = h * w;
  const size = px * channels;
  // Class of each stored example (every one is in train or test).
  const labelOf = new Int32Array(meta.stored).fill(-1);
  for (const s of [meta.train, meta.test]) s.pos.forEach((p, i) => (labelOf[p] = s.labels[i]));
  if (labelOf.some((l) => l < 0)) throw new Error('the stored dataset does not place every example in a split: import it again');

  let trainPos: number[];
  let testPos: number[];
  if (meta.summary.testSource === 'given') {
    trainPos = meta.train.pos;
    testPos = meta.test.pos;
  } else {
    const split = stratifiedSplit(labelOf, meta.classNames.length, options.testFraction ?? 0.2, options.seed ?? 1);
    trainPos = Array.from(split.train);
    testPos = Array.from(split.test);
  }

  // Per stored example and channel: the sum and the sum of squares of its bytes.
  const sums = new Float64Array(meta.stored * channels * 2);
  const file = await folder.open(EXAMPLES_FILE, 'read');
  try {
    const per = Math.max(1, Math.floor(READ_BYTES / size));
    const buf = new Uint8Array(per * size);
    for (let s = 0; s < meta.stored; s += per) {
      const n = Math.min(per, meta.stored - s);
      await readFully(file, s * size, buf.subarray(0, n * size));
      for (let k = 0; k < n; k++) {
        const base = (s + k) * channels * 2;
        for (let p = 0; p < px; p++) {
          for (let c = 0; c < channels; c++) {
            const v = buf[k * size + p * channels + c];
            sums[base + c * 2] += v;
            sums[base + c * 2 + 1] += v * v;
          }
        }
      }
    }
  } finally {
    await file.close();
  }
  const stats = statsOf(sums, trainPos, channels, px);
  const norm = normalizationFrom(stats, options.normalization ?? 'unit');
  const countsOf = (pos: number[]) => {
    const c = new Array<number>(meta.classNames.length).fill(0);
    for (const p of pos) c[labelOf[p]]++;
    return c;
  };
  const counts = { train: countsOf(trainPos), test: countsOf(testPos) };
  const { summary } = meta;
  const { mean: _m, std: _s, ...rest } = meta;
  const next: StoredDatasetMeta = {
    ...rest,
    options: { ...meta.options, ...options },
    summary: {
      ...summary, counts, train: trainPos.length, test: testPos.length, mean: stats.mean, std: stats.std,
      warnings: importWarnings(meta.classNames, counts.train, counts.test, summary.duplicates, summary.skipped.length),
    },
    train: { pos: trainPos, labels: trainPos.map((p) => labelOf[p]) },
    test: { pos: testPos, labels: testPos.map((p) => labelOf[p]) },
    ...(norm ?? {}),
  };
  return { meta: next, changed: true };
}
