// Experiment 9's picture: FGSM on one image at the smallest flipping ε of a fine grid, against a
// tiny model whose weights make the flip point known in closed form, and against the sweep.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '@/node';
import type { ImageDataset } from '@/core/data/dataset';
import { fgsmExample, fgsmSweep } from '@/core/eval/adversarial';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

/** Two pixels, two classes: logits (x0 − x1, x1 − x0), softmax. Class 0 when x0 > x1. */
function knownModel(): tf.LayersModel {
  const input = tf.input({ shape: [1, 2, 1] });
  const f = tf.layers.flatten().apply(input);
  const d = tf.layers.dense({ units: 2, activation: 'softmax', useBias: false });
  const out = d.apply(f) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  d.setWeights([tf.tensor2d([[1, -1], [-1, 1]])]);
  return model;
}

const twoPixels = (a: number, b: number, label: number): ImageDataset => ({
  images: Uint8Array.from([a, b]), labels: Uint8Array.from([label]), count: 1, height: 1, width: 2, channels: 1, classes: 2,
});

describe('fgsmExample', () => {
  it('finds the smallest flipping ε to within the grid, and the adversarial image stays within ε of the original', async () => {
    const model = knownModel();
    const ds = twoPixels(160, 100, 0);
    const gap = (160 - 100) / 255; // x0 − x1: the attack moves x0 down and x1 up by ε each, so it flips once 2ε > gap
    const ex = await fgsmExample(model, ds, 0, { maxEpsilon: 0.3, step: 0.01 });
    expect(ex.epsilon).not.toBeNull();
    const eps = ex.epsilon!;
    expect(eps).toBeGreaterThan(gap / 2);
    expect(eps - ex.resolution).toBeLessThanOrEqual(gap / 2);
    expect(eps).toBeCloseTo(0.12, 9);
    expect(ex.resolution).toBe(0.01);

    expect(ex.original[0]).toBeCloseTo(160 / 255, 3);
    expect(ex.adversarial[0]).toBeCloseTo(160 / 255 - eps, 3);
    expect(ex.adversarial[1]).toBeCloseTo(100 / 255 + eps, 3);
    ex.adversarial.forEach((v, i) => expect(Math.abs(v - ex.original[i])).toBeLessThanOrEqual(eps + 1e-4));
    expect(ex.perturbation.map((v) => Math.round(v))).toEqual([-1, 1]);

    expect(ex.label).toBe(0);
    expect(ex.clean.label).toBe(0);
    expect(ex.attacked.label).toBe(1);
    expect(ex.clean.probability).toBeCloseTo(1 / (1 + Math.exp(-2 * gap)), 4);
    const after = 2 * (2 * eps - gap); // logit gap of the adversarial image, in favour of class 1
    expect(ex.attacked.probability).toBeCloseTo(1 / (1 + Math.exp(-after)), 3);
    model.dispose();
  });

  it('says so when no ε of the grid flips the prediction', async () => {
    const model = knownModel();
    const ex = await fgsmExample(model, twoPixels(250, 0, 0), 0, { maxEpsilon: 0.2, step: 0.05 });
    expect(ex.epsilon).toBeNull();
    expect(ex.attacked.label).toBe(0);
    // The strongest attack tried is shown: clipped to [0, 1], within 0.2 of the original.
    ex.adversarial.forEach((v, i) => expect(Math.abs(v - ex.original[i])).toBeLessThanOrEqual(0.2 + 1e-4));
    model.dispose();
  });

  it('agrees with the sweep over the same grid on a small convnet', async () => {
    const input = tf.input({ shape: [6, 6, 1] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input);
    const f = tf.layers.flatten().apply(c);
    const out = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(f) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    let s = 11;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const count = 8;
    const ds: ImageDataset = {
      images: Uint8Array.from({ length: count * 36 }, () => Math.floor(rnd() * 256)), labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
      count, height: 6, width: 6, channels: 1, classes: 3,
    };
    const grid = Array.from({ length: 40 }, (_, i) => (i + 1) * 0.01);
    const idx = Array.from({ length: count }, (_, i) => i);
    const sweep = await fgsmSweep(model, ds, idx, grid);
    let flipped = 0;
    for (const i of idx) {
      const ex = await fgsmExample(model, ds, i, { maxEpsilon: 0.4, step: 0.01 });
      expect(ex.clean.label).toBe(sweep.cleanPredicted[i]);
      if (sweep.smallestFlip[i] === null) expect(ex.epsilon).toBeNull();
      else expect(ex.epsilon).toBeCloseTo(sweep.smallestFlip[i]!, 9);
      if (ex.epsilon !== null) {
        flipped++;
        expect(ex.attacked.label).not.toBe(ex.clean.label);
        ex.adversarial.forEach((v, k) => expect(Math.abs(v - ex.original[k])).toBeLessThanOrEqual(ex.epsilon! + 1e-4));
      }
    }
    expect(flipped).toBeGreaterThan(0);
    model.dispose();
  });
});
