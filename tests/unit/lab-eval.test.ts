// Core pieces of the lab: gradient-norm recording (step and trainer), the linear probe, FGSM and
// ensembles, each against a reference computed another way.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '@/node';
import type { ImageDataset } from '@/core/data/dataset';
import { fgsmSweep, gradientSign, perturb } from '@/core/eval/adversarial';
import { accuracyOf, averageProbabilities, ensembleAccuracy } from '@/core/eval/ensemble';
import { layerFeatures, linearProbe, type Features } from '@/core/eval/probe';
import { DEFAULT_TRAIN_CONFIG } from '@/core/train/config';
import { createState, disposeState } from '@/core/train/state';
import { trainStep } from '@/core/train/step';
import { perLayerNorms, train } from '@/core/train/trainer';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

function mlp(seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 1], name: 'input_1' });
  const f = tf.layers.flatten({ name: 'flatten_1' }).apply(input);
  const h = tf.layers.dense({ name: 'dense_1', units: 6, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(f);
  const out = tf.layers.dense({ name: 'classifier_1', units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** A 4×4 dataset whose class is which third of the image is bright (linearly separable). */
function toyData(count: number, seed = 3): ImageDataset {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const images = new Uint8Array(count * 16);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let p = 0; p < 16; p++) images[i * 16 + p] = Math.floor(rnd() * 60) + (Math.floor(p / 6) === c ? 150 : 0);
  }
  return { images, labels, count, height: 4, width: 4, channels: 1, classes: 3 };
}

describe('gradient norms', () => {
  it('the step reports each variable’s raw gradient norm, equal to tf.variableGrads’', () => {
    const model = mlp();
    const xs = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 5);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ref = tf.variableGrads(() => {
      const out = model.apply(xs, { training: true }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(out, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
    }, vars);
    const expected = vars.map((v) => tf.norm(ref.grads[v.name]).dataSync()[0]);
    let norms: tf.Tensor1D | undefined;
    // With clipping on: the norms are of the raw gradients, before the clip.
    const r = trainStep(model, tf.train.sgd(0.1), xs, ys, true, vars, { clip: 'norm', clipValue: 1e-3, onNorms: (t) => (norms = t) });
    expect(norms).toBeDefined();
    const got = Array.from(norms!.dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
    expect(perLayerNorms(['dense_1', 'dense_1', 'classifier_1'], [3, 4, 2])).toEqual({ dense_1: 5, classifier_1: 2 });
    tf.dispose([xs, ys, r.loss, r.correct, norms!, ref.value, ...Object.values(ref.grads)]);
  });

  it('the trainer calls onGradients every N steps with every layer, leaving no tensor behind', async () => {
    const ds = toyData(300);
    const config = { ...DEFAULT_TRAIN_CONFIG, batchSize: 10, validationSplit: 0, backends: undefined };
    // Tensors a run leaves (optimizer slots, last good weights), without the hook and with it.
    const left = async (hooks: Partial<Parameters<typeof train>[2]>) => {
      const state = createState('r', mlp(), config);
      const before = tf.memory().numTensors;
      await train(state, { train: ds }, { emit: () => {}, control: () => 'run', ...hooks }, { gradientNormsEvery: 5 });
      const n = tf.memory().numTensors - before;
      disposeState(state);
      return n;
    };
    const readings: { steps: number; norms: Record<string, number> }[] = [];
    const plain = await left({});
    const hooked = await left({ onGradients: (norms, at) => readings.push({ steps: at.steps, norms }) });
    expect(hooked).toBe(plain);
    expect(readings.map((r) => r.steps)).toEqual([1, 6, 11, 16, 21, 26]);
    for (const r of readings) {
      expect(Object.keys(r.norms).sort()).toEqual(['classifier_1', 'dense_1']);
      for (const v of Object.values(r.norms)) expect(v).toBeGreaterThan(0);
    }
  });
});

describe('linear probe', () => {
  const features = (count: number, informative: boolean, seed: number): Features => {
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const dim = 5;
    const values = new Float32Array(count * dim);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      labels[i] = i % 3;
      for (let j = 0; j < dim; j++) values[i * dim + j] = rnd() * 2 - 1 + (informative && j === labels[i] ? 3 : 0) + 100; // offset: standardised away
    }
    return { values, count, dim, labels };
  };

  it('separates linearly separable features and stays near chance on noise', async () => {
    const good = await linearProbe(features(300, true, 7), features(150, true, 8), { epochs: 10 });
    expect(good.testAccuracy).toBeGreaterThan(0.95);
    const noise = await linearProbe(features(300, false, 7), features(150, false, 8), { epochs: 10 });
    expect(noise.testAccuracy).toBeLessThan(0.55);
  });

  it('reads a layer’s activations as the sub-model computes them, and the pixels for the Input block', async () => {
    const model = mlp();
    const ds = toyData(20);
    const idx = Uint32Array.from({ length: 20 }, (_, i) => i);
    const hidden = await layerFeatures(model, 'dense_1', ds, idx, 7);
    expect(hidden.dim).toBe(6);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('dense_1').output as tf.SymbolicTensor });
    const xs = tf.tensor4d(Float32Array.from(ds.images, (v) => v / 255), [20, 4, 4, 1]);
    const ref = (sub.predict(xs) as tf.Tensor).dataSync();
    hidden.values.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    const pixels = await layerFeatures(model, 'input_1', ds, idx);
    expect(pixels.dim).toBe(16);
    expect(pixels.values[17]).toBeCloseTo(ds.images[17] / 255, 6);
    expect(Array.from(pixels.labels)).toEqual(Array.from(ds.labels));
    xs.dispose();
  });
});

describe('FGSM', () => {
  it('the gradient sign is sign(Wᵀ(p − y)) for softmax regression, and the step is clipped to 0..1', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const dense = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }), biasInitializer: 'zeros' });
    const model = tf.model({ inputs: input, outputs: dense.apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor });
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 9);
    const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 3);
    const sign = gradientSign(model, x, y);
    const [w] = dense.getWeights();
    const p = model.predict(x) as tf.Tensor;
    const analytic = tf.sign(tf.matMul(tf.sub(p, y), w, false, true)).reshape([2, 4, 4, 1]);
    expect(Array.from(sign.dataSync())).toEqual(Array.from(analytic.dataSync()));
    const adv = perturb(x, sign, 0.3).dataSync();
    const xv = x.dataSync();
    const sv = sign.dataSync();
    adv.forEach((v, i) => expect(v).toBeCloseTo(Math.min(1, Math.max(0, xv[i] + 0.3 * sv[i])), 6));
    tf.dispose([x, y, sign, p, analytic]);
  });

  it('a trained net: no flip at ε = 0, flips rise with ε, smallest flipping ε per image agrees with the sweep', async () => {
    const model = mlp();
    const ds = toyData(300);
    const state = createState('f', model, { ...DEFAULT_TRAIN_CONFIG, batchSize: 10, epochs: 3, learningRate: 0.05, validationSplit: 0 });
    await train(state, { train: ds }, { emit: () => {}, control: () => 'run' });
    const idx = Uint32Array.from({ length: 60 }, (_, i) => i);
    const eps = [0.4, 0, 0.1, 0.8];
    const r = await fgsmSweep(model, ds, idx, eps, { batchSize: 25 });
    expect(r.epsilons).toEqual([0, 0.1, 0.4, 0.8]);
    expect(r.flipRate[0]).toBe(0);
    expect(r.accuracy[0]).toBeGreaterThan(0.9);
    for (let i = 1; i < 4; i++) expect(r.flipRate[i]).toBeGreaterThanOrEqual(r.flipRate[i - 1]);
    expect(r.flipRate[3]).toBeGreaterThan(0.5);
    // Flip rate at ε equals the share of images whose smallest flipping ε is ≤ ε (monotone attack here).
    const within = (e: number) => r.smallestFlip.filter((f) => f !== null && f <= e).length / r.count;
    expect(within(0.8)).toBeCloseTo(r.flipRate[3], 6);
    disposeState(state);
  });
});

describe('ensembles', () => {
  it('averages probabilities and scores members and the average alike', () => {
    const a = Float32Array.from([0.6, 0.4, 0.1, 0.9, 0.45, 0.55]);
    const b = Float32Array.from([0.45, 0.55, 0.3, 0.7, 0.9, 0.1]);
    const avg = averageProbabilities([a, b]);
    [0.525, 0.475, 0.2, 0.8, 0.675, 0.325].forEach((v, i) => expect(avg[i]).toBeCloseTo(v, 6));
    const labels = [0, 1, 0];
    expect(accuracyOf(a, labels, 2)).toBeCloseTo(2 / 3);
    expect(accuracyOf(b, labels, 2)).toBeCloseTo(2 / 3);
    const r = ensembleAccuracy([a, b], labels, 2);
    expect(r.members).toEqual([2 / 3, 2 / 3]);
    // Each member is wrong on a different image; the average is right on all three.
    expect(r.averaged).toBe(1);
    expect(r.bestMember).toBeCloseTo(2 / 3);
    expect(() => averageProbabilities([a, Float32Array.from([1])])).toThrow(/disagree/);
  });
});
