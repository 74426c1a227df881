// Augmentation (flips, shifts) on known images, seeded batches, and training through a streamed
// source: the same batches, weights and loss curve as the same data in memory.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyAugmentation, augmentationOf, augmentRandom, drawAugmentation } from '@/core/data/augment';
import { assembleBatch, prefetchBatches, readBatch, seededRandom, streamedOf, type AnyDataset, type ImageDataset } from '@/core/data/dataset';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '@/core/train/protocol';
import { checkTrainConfig, visibleSettings } from '@/core/train/settings';
import { createState, disposeState, type TrainState } from '@/core/train/state';
import { train, type Control } from '@/core/train/trainer';
import { blobValues, readModelWeights } from '@/core/train/weights';

/** A 3×4 one-channel image with values 1..12, row-major. */
const known = () => Float32Array.from({ length: 12 }, (_, i) => i + 1);
const rows = (a: ArrayLike<number>, w: number) => Array.from({ length: a.length / w }, (_, r) => Array.from(a).slice(r * w, r * w + w));

describe('flips and shifts on known images', () => {
  it('a flip mirrors each row', () => {
    const img = known();
    applyAugmentation(img, 3, 4, 1, { flip: true, dy: 0, dx: 0 }, 'zero');
    expect(rows(img, 4)).toEqual([[4, 3, 2, 1], [8, 7, 6, 5], [12, 11, 10, 9]]);
  });

  it('a flip mirrors pixels, not channels (RGB)', () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6]); // 1×2×3
    applyAugmentation(img, 1, 2, 3, { flip: true, dy: 0, dx: 0 }, 'zero');
    expect(Array.from(img)).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('a shift moves the content by n pixels (right/down positive), zero padded', () => {
    const img = known();
    applyAugmentation(img, 3, 4, 1, { flip: false, dy: 0, dx: 2 }, 'zero');
    expect(rows(img, 4)).toEqual([[0, 0, 1, 2], [0, 0, 5, 6], [0, 0, 9, 10]]);
    const up = known();
    applyAugmentation(up, 3, 4, 1, { flip: false, dy: -1, dx: 0 }, 'zero');
    expect(rows(up, 4)).toEqual([[5, 6, 7, 8], [9, 10, 11, 12], [0, 0, 0, 0]]);
  });

  it('edge padding repeats the border pixels', () => {
    const img = known();
    applyAugmentation(img, 3, 4, 1, { flip: false, dy: 1, dx: -1 }, 'edge');
    expect(rows(img, 4)).toEqual([[2, 3, 4, 4], [2, 3, 4, 4], [6, 7, 8, 8]]);
  });

  it('flip and shift together: the mirrored image, shifted', () => {
    const img = known();
    applyAugmentation(img, 3, 4, 1, { flip: true, dy: 0, dx: 1 }, 'zero');
    expect(rows(img, 4)).toEqual([[0, 4, 3, 2], [0, 8, 7, 6], [0, 12, 11, 10]]);
  });

  it('draws stay within ±n and use both directions; flips about half the time', () => {
    const rnd = seededRandom(5);
    const aug = { flip: true, shift: 2, padding: 'zero' as const };
    const draws = Array.from({ length: 2000 }, () => drawAugmentation(aug, rnd));
    const dxs = new Set(draws.map((d) => d.dx));
    expect([...dxs].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
  });

  it('is off unless the config asks: defaults, settings and their checks', () => {
    expect(augmentationOf(DEFAULT_TRAIN_CONFIG)).toBeNull();
    expect(augmentationOf({ flipHorizontal: true })).toEqual({ flip: true, shift: 0, padding: 'zero' });
    expect(augmentationOf({ shiftPixels: 3, shiftPadding: 'edge' })).toEqual({ flip: false, shift: 3, padding: 'edge' });
    expect(checkTrainConfig({ ...DEFAULT_TRAIN_CONFIG, flipHorizontal: true, shiftPixels: 2 })).toBeUndefined();
    expect(checkTrainConfig({ ...DEFAULT_TRAIN_CONFIG, shiftPixels: 99 })).toMatch(/shift/i);
    const keys = (c: TrainConfig) => visibleSettings(c).map((s) => s.key);
    expect(keys(DEFAULT_TRAIN_CONFIG)).toContain('flipHorizontal');
    expect(keys(DEFAULT_TRAIN_CONFIG)).not.toContain('shiftPadding');
    expect(keys({ ...DEFAULT_TRAIN_CONFIG, shiftPixels: 1 })).toContain('shiftPadding');
  });
});

/** n images 6×6×1 (bytes): class k has a bright vertical bar at column k (2 classes: left/right), plus seeded noise. */
function bars(n: number, seed = 3): ImageDataset {
  const rnd = seededRandom(seed);
  const images = new Uint8Array(n * 36);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 36; p++) images[i * 36 + p] = Math.floor(rnd() * 60);
    const col = labels[i] ? 4 : 1;
    for (let y = 0; y < 6; y++) images[i * 36 + y * 6 + col] = 250;
  }
  return { images, labels, count: n, height: 6, width: 6, channels: 1, classes: 2 };
}

describe('seeded augmented batches', () => {
  const ds = bars(40);
  const idx = Uint32Array.from({ length: 40 }, (_, i) => i);
  const aug = { flip: true, shift: 1, padding: 'zero' as const };
  const batch = (seed: number, crop: 'random' | 'center' = 'random') => assembleBatch(ds, idx, 8, 24, [6, 6, 1], crop, seededRandom(1), { aug, rnd: augmentRandom(seed, 1, 8) });

  it('the same seed gives equal batches, another seed different ones; no augmentation leaves the pixels', () => {
    expect(Array.from(batch(7).x)).toEqual(Array.from(batch(7).x));
    expect(Array.from(batch(7).x)).not.toEqual(Array.from(batch(8).x));
    const plain = assembleBatch(ds, idx, 8, 24, [6, 6, 1], 'center');
    expect(Array.from(plain.x)).not.toEqual(Array.from(batch(7).x));
    expect(plain.x[1]).toBeCloseTo(ds.images[8 * 36 + 1] / 255);
  });

  it('a streamed source assembles the same batches as memory, also through the prefetcher', async () => {
    const src = streamedOf(ds, () => new Promise((r) => setTimeout(r, 1)));
    const mem = assembleBatch(ds, idx, 8, 24, [4, 4, 1], 'random', seededRandom(2), { aug, rnd: augmentRandom(3, 1, 8) });
    const str = await readBatch(src, idx, 8, 24, [4, 4, 1], 'random', seededRandom(2), { aug, rnd: augmentRandom(3, 1, 8) });
    expect(Array.from(str.x)).toEqual(Array.from(mem.x));
    expect(Array.from(str.y)).toEqual(Array.from(mem.y));
    // Prefetching: one shared crop generator, drawn in batch order whatever the read delays.
    const order: number[] = [];
    const run = async (d: typeof src | ImageDataset) => {
      const rnd = seededRandom(9);
      const it = prefetchBatches(0, 40, 16, (s, e) => {
        order.push(s);
        return readBatch(d, idx, s, e, [4, 4, 1], 'random', rnd);
      });
      const out: number[] = [];
      for (let b = await it.next(); b; b = await it.next()) out.push(...b.x);
      return out;
    };
    const a = await run(src);
    expect(order).toEqual([0, 16, 32]);
    expect(a).toEqual(await run(ds));
  });
});

describe('training with augmentation and from a streamed source', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const model = () => {
    const input = tf.input({ shape: [6, 6, 1] });
    const f = tf.layers.flatten().apply(input);
    const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(f) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  };
  const cfg = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, optimizer: 'sgd', learningRate: 0.5, batchSize: 8, epochs: 2, validationSplit: 0.2, seed: 5, ...over });
  const data = { train: bars(120), test: bars(40, 9) };

  async function fit(c: TrainConfig, d: { train: AnyDataset; test?: AnyDataset } = data, control?: () => Control, state?: TrainState) {
    const s = state ?? createState('r', model(), c);
    const res = await train(s, d, { emit: () => {}, control: control ?? (() => 'run') }, { reportEveryMs: 0 });
    return { res, state: s, weights: async () => Array.from(blobValues(await readModelWeights(s.model))) };
  }

  it('two runs with the same seed end equal; augmentation changes the run; a paused run resumed ends like an uninterrupted one', async () => {
    const on = cfg({ flipHorizontal: true, shiftPixels: 1, shiftPadding: 'edge' });
    const a = await fit(on);
    const b = await fit(on);
    const off = await fit(cfg());
    const wa = await (a.weights());
    expect(wa).toEqual(await (b.weights()));
    expect(wa).not.toEqual(await (off.weights()));
    let polls = 0;
    const p = await fit(on, data, () => (++polls === 8 ? 'pause' : 'run'));
    expect(p.res.outcome).toBe('paused');
    expect(p.state.offset).toBeGreaterThan(0);
    await fit(on, data, undefined, p.state);
    expect(await (p.weights())).toEqual(wa);
    for (const r of [a, b, off, p]) disposeState(r.state);
  });

  it('a streamed source trains to the same weights and loss curve as memory', async () => {
    const on = cfg({ shiftPixels: 1 });
    const mem = await fit(on);
    const slow = () => new Promise<void>((r) => setTimeout(r, 2));
    const str = await fit(on, { train: streamedOf(data.train, slow), test: streamedOf(data.test, slow) });
    expect(str.state.curves.trainLoss).toEqual(mem.state.curves.trainLoss);
    expect(str.state.curves.valLoss).toEqual(mem.state.curves.valLoss);
    expect(str.res.testLoss).toBe(mem.res.testLoss);
    expect(await (str.weights())).toEqual(await (mem.weights()));
    disposeState(mem.state);
    disposeState(str.state);
  });
});
