// Gradient transforms (global norm, clipping, weight decay) on real tensors against hand-computed
// numbers, and trainStep's use of them: unchanged without options, no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addWeightDecay, clipGradients, decaysWeight, globalNorm } from '../../renderer/src/core/train/gradients';
import { lossAndCorrect, trainableVariables, trainStep, type StepOptions } from '../../renderer/src/core/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let uid = 0;
const name = (n: string) => `g${++uid}/${n}`;
const arr = (t: tf.Tensor) => Array.from(t.dataSync());
const close = (a: number[], b: number[], digits = 6) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits));
};

describe('globalNorm', () => {
  it('is the length of all gradients as one vector', () => {
    const n = globalNorm([tf.tensor1d([3, 4]), tf.tensor2d([[12]])]);
    expect(n.rank).toBe(0);
    expect(n.dataSync()[0]).toBeCloseTo(13, 6);
    expect(globalNorm([]).dataSync()[0]).toBe(0);
  });
});

describe('clipGradients', () => {
  const grads = () => ({ a: tf.tensor1d([3, -4]), b: tf.tensor2d([[12]]) });

  it("'norm': scales all gradients by threshold / norm when the norm is larger", () => {
    const out = clipGradients(grads(), 'norm', 6.5); // norm 13 → ×0.5
    close(arr(out.a), [1.5, -2]);
    close(arr(out.b), [6]);
    expect(globalNorm([out.a, out.b]).dataSync()[0]).toBeCloseTo(6.5, 5);
  });

  it("'norm': leaves gradients under the threshold (and all-zero gradients) as they are", () => {
    const out = clipGradients(grads(), 'norm', 15);
    close(arr(out.a), [3, -4]);
    close(arr(out.b), [12]);
    const zero = clipGradients({ z: tf.zeros([3]) }, 'norm', 1);
    expect(arr(zero.z)).toEqual([0, 0, 0]); // not NaN from 1 / 0
  });

  it("'value': clips each element to ±value", () => {
    const out = clipGradients(grads(), 'value', 3.5);
    close(arr(out.a), [3, -3.5]);
    close(arr(out.b), [3.5]);
  });

  it("'none' returns the same tensors; a non-positive value is refused", () => {
    const g = grads();
    const out = clipGradients(g, 'none', 0);
    expect(out.a).toBe(g.a);
    expect(() => clipGradients(g, 'norm', 0)).toThrow(/positive/);
    expect(() => clipGradients(g, 'value', Number.NaN)).toThrow(/positive/);
  });

  it('frees its intermediates', () => {
    const g = grads();
    const before = tf.memory().numTensors;
    const out = clipGradients(g, 'norm', 1);
    expect(tf.memory().numTensors).toBe(before + 2); // just the two results
    tf.dispose([out.a, out.b, g.a, g.b]);
  });
});

describe('weight decay', () => {
  it('applies to kernels only (by name and rank), with tfjs name suffixes', () => {
    expect(decaysWeight({ name: 'dense_1/kernel', rank: 2 })).toBe(true);
    expect(decaysWeight({ name: 'conv2d_1/kernel_3', rank: 4 })).toBe(true);
    expect(decaysWeight({ name: 'dense_1/bias', rank: 1 })).toBe(false);
    expect(decaysWeight({ name: 'batchnorm_1/gamma', rank: 1 })).toBe(false);
    expect(decaysWeight({ name: 'batchnorm_1/beta', rank: 1 })).toBe(false);
    expect(decaysWeight({ name: 'odd/kernel', rank: 1 })).toBe(false);
    expect(decaysWeight({ name: 'dense_1/kernelish', rank: 2 })).toBe(false);
  });

  it('adds decay·w to kernel gradients and leaves biases alone', () => {
    const kernel = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, name('dense_1/kernel'));
    const bias = tf.variable(tf.tensor1d([5, 6]), true, name('dense_1/bias'));
    const g = { [kernel.name]: tf.fill([2, 2], 0.1), [bias.name]: tf.tensor1d([0.5, 0.5]) };
    const out = addWeightDecay(g, [kernel, bias], 0.01);
    close(arr(out[kernel.name]), [0.11, 0.12, 0.13, 0.14]);
    expect(out[bias.name]).toBe(g[bias.name]);
    expect(addWeightDecay(g, [kernel, bias], 0)[kernel.name]).toBe(g[kernel.name]);
    expect(() => addWeightDecay(g, [kernel], -1)).toThrow();
    tf.dispose([kernel, bias, ...Object.values(g), out[kernel.name]]);
  });
});

/** A small seeded MLP: two Dense layers with kernels and biases, softmax output. */
function mlp(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: seed + 1 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
}

const xs = () => tf.randomNormal([6, 4], 0, 1, 'float32', 5);
const ys = () => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat();
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => arr(w));

/** The step as it was before options existed (optimizer.minimize), as a reference. */
function oldStep(model: tf.LayersModel, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): number {
  const vars = trainableVariables(model);
  const loss = opt.minimize(() => lossAndCorrect(model.apply(x, { training: true }) as tf.Tensor, y, true).loss, true, vars) as tf.Scalar;
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

function step(model: tf.LayersModel, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor, opts?: StepOptions): { loss: number; correct: number } {
  const r = trainStep(model, opt, x, y, true, trainableVariables(model), opts);
  const out = { loss: r.loss.dataSync()[0], correct: r.correct.dataSync()[0] };
  tf.dispose([r.loss, r.correct]);
  return out;
}

describe('trainStep', () => {
  it('without options: the same weights and loss as the old minimize() step, for three steps', () => {
    const a = mlp(1);
    const b = mlp(1);
    const x = xs();
    const y = ys();
    const oa = tf.train.momentum(0.1, 0.9);
    const ob = tf.train.momentum(0.1, 0.9);
    for (let i = 0; i < 3; i++) {
      const la = oldStep(a, oa, x, y);
      const lb = step(b, ob, x, y);
      expect(lb.loss).toBe(la);
    }
    expect(weightsOf(b)).toEqual(weightsOf(a));
  });

  it('weight decay: kernels move by an extra −lr·decay·w, biases exactly as without decay', () => {
    const a = mlp(2);
    const b = mlp(2);
    const w0 = weightsOf(a); // [kernel1, bias1, kernel2, bias2]
    const lr = 0.1;
    const decay = 0.05;
    step(a, tf.train.sgd(lr), xs(), ys());
    step(b, tf.train.sgd(lr), xs(), ys(), { weightDecay: decay });
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    for (const k of [0, 2]) close(wb[k].map((v, i) => v - wa[k][i]), w0[k].map((w) => -lr * decay * w), 6);
    for (const k of [1, 3]) expect(wb[k]).toEqual(wa[k]);
    expect(w0[0].some((w) => Math.abs(w) > 0.1)).toBe(true);
  });

  it("clip 'norm': with SGD lr 1 the whole update has exactly the threshold's length", () => {
    const m = mlp(3);
    const w0 = weightsOf(m);
    step(m, tf.train.sgd(1), xs(), ys(), { clip: 'norm', clipValue: 1e-3 });
    const d = weightsOf(m).flatMap((w, k) => w.map((v, i) => v - w0[k][i]));
    expect(Math.hypot(...d)).toBeCloseTo(1e-3, 6);
  });

  it("clip 'value': no element of the update exceeds the bound, and some reach it", () => {
    const m = mlp(4);
    const w0 = weightsOf(m);
    step(m, tf.train.sgd(1), xs(), ys(), { clip: 'value', clipValue: 1e-3 });
    const d = weightsOf(m).flatMap((w, k) => w.map((v, i) => Math.abs(v - w0[k][i])));
    expect(Math.max(...d)).toBeLessThanOrEqual(1e-3 * 1.0001); // float32 rounding of w − w0
    expect(d.filter((v) => Math.abs(v - 1e-3) < 1e-7).length).toBeGreaterThan(3);
  });

  it('leaks no tensors, with and without options', () => {
    const m = mlp(5);
    const opt = tf.train.adam(0.01);
    const x = xs();
    const y = ys();
    step(m, opt, x, y); // creates the optimizer's state
    for (const opts of [undefined, { weightDecay: 1e-3 }, { clip: 'norm' as const, clipValue: 1 }, { clip: 'value' as const, clipValue: 0.1, weightDecay: 1e-2 }]) {
      const before = tf.memory().numTensors;
      step(m, opt, x, y, opts);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a failing step throws and leaves nothing allocated', () => {
    const m = mlp(6);
    const opt = tf.train.sgd(0.1);
    const x = xs();
    const y = ys();
    step(m, opt, x, y);
    // Labels of the wrong width: the loss throws after the forward pass.
    const bad = tf.zeros([6, 4]);
    let before = tf.memory().numTensors;
    expect(() => trainStep(m, opt, x, bad, true, trainableVariables(m))).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    // An optimizer that fails to apply: loss, correct and the gradients all exist by then.
    class Broken extends tf.SGDOptimizer {
      override applyGradients(): void {
        throw new Error('boom');
      }
    }
    const broken = new Broken(0.1);
    before = tf.memory().numTensors;
    expect(() => trainStep(m, broken, x, y, true, trainableVariables(m), { clip: 'norm', clipValue: 1, weightDecay: 0.1 })).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    bad.dispose();
  });
});
