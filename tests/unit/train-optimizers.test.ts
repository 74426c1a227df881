// The lecture's optimizers: each is built, its learning rate can be changed mid-run without losing
// its state, and its state survives a getWeights → bytes → setWeights round trip (checkpoints).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS, type OptimizerName } from '../../renderer/src/core/train/config';
import { getLearningRate, makeOptimizer, type NamedTensor, optimizerWeights, restoreOptimizerWeights, setLearningRate } from '../../renderer/src/core/train/optimizers';
import { makeOptimizer as makeOptimizerFromStep } from '../../renderer/src/core/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPES = [[3, 2], [2]];
const LR = 0.05;

/** Two variables with fixed starting values, named uniquely per call. */
function makeVars(tag: string): tf.Variable[] {
  return SHAPES.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 100 + i), true, `${tag}_v${i}_${Math.random().toString(36).slice(2)}`));
}

/** The gradients of step k (deterministic, different per step). */
function gradsFor(step: number): tf.Tensor[] {
  return SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 1000 * step + i));
}

/** Applies step k's gradients to `vars` the way trainStep does (array form, in vars order). */
function apply(opt: tf.Optimizer, vars: tf.Variable[], step: number): void {
  const g = gradsFor(step);
  opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: g[i] })));
  tf.dispose(g);
}

const values = (vars: tf.Variable[]): Float32Array[] => vars.map((v) => v.dataSync().slice() as Float32Array);
const delta = (after: Float32Array[], before: Float32Array[]): number[] => after.flatMap((a, i) => Array.from(a, (x, j) => x - before[i][j]));

function copyInto(target: tf.Variable[], source: tf.Variable[]): void {
  target.forEach((t, i) => t.assign(source[i]));
}

/**
 * What a checkpoint keeps: names, shapes, dtypes and raw values, no live tensors. `live`: the list
 * is tfjs's own getWeights(), whose entries after the iteration scalar are the optimizer's state.
 */
async function snapshot(
  get: () => Promise<NamedTensor[]>,
  live = false,
): Promise<{ name: string; shape: number[]; dtype: tf.DataType; data: Float32Array | Int32Array }[]> {
  const weights = await get();
  const out = [];
  for (const w of weights) out.push({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype, data: (await w.tensor.data()).slice() as Float32Array | Int32Array });
  tf.dispose((live ? weights.slice(0, 1) : weights).map((w) => w.tensor));
  return out;
}

function restoreTensors(snap: Awaited<ReturnType<typeof snapshot>>): NamedTensor[] {
  return snap.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, s.dtype) }));
}

const configFor = (optimizer: OptimizerName) => ({ optimizer, learningRate: LR, momentum: 0.9 });

describe('makeOptimizer', () => {
  it('builds every optimizer of the config with the configured rate', () => {
    const expected: Record<OptimizerName, string> = {
      sgd: 'SGD', momentum: 'Momentum', nesterov: 'Momentum', adagrad: 'Adagrad', adadelta: 'Adadelta', rmsprop: 'RMSProp', adam: 'Adam',
    };
    for (const name of OPTIMIZERS) {
      const opt = makeOptimizer(configFor(name));
      expect(opt.getClassName()).toBe(expected[name]);
      expect(getLearningRate(opt)).toBe(LR);
      opt.dispose();
    }
    const n = makeOptimizer(configFor('nesterov')).getConfig();
    expect(n).toMatchObject({ useNesterov: true, momentum: 0.9 });
    expect(makeOptimizer(configFor('momentum')).getConfig()).toMatchObject({ useNesterov: false });
    expect(() => makeOptimizer({ optimizer: 'lbfgs' as OptimizerName, learningRate: 1, momentum: 0 })).toThrow(/unknown optimizer/);
  });

  it('is still exported from step.ts', () => {
    expect(makeOptimizerFromStep).toBe(makeOptimizer);
  });

  it('nesterov and momentum differ after the first step (the look-ahead is really on)', () => {
    const a = makeVars('m');
    const b = makeVars('n');
    const m = makeOptimizer(configFor('momentum'));
    const n = makeOptimizer(configFor('nesterov'));
    for (const s of [1, 2]) {
      apply(m, a, s);
      apply(n, b, s);
    }
    const diff = delta(values(a), values(b)).reduce((acc, d) => Math.max(acc, Math.abs(d)), 0);
    expect(diff).toBeGreaterThan(1e-3);
    tf.dispose([...a, ...b]);
    m.dispose();
    n.dispose();
  });
});

describe('setLearningRate', () => {
  for (const name of OPTIMIZERS) {
    it(`${name}: the next update scales with the new rate and the state is kept`, () => {
      const varsA = makeVars('a');
      const varsB = makeVars('b');
      const a = makeOptimizer(configFor(name));
      const b = makeOptimizer(configFor(name));
      // Build up state in both (momentum, accumulators, Adam's moments) with equal steps.
      for (const s of [1, 2, 3]) {
        apply(a, varsA, s);
        apply(b, varsB, s);
      }
      setLearningRate(b, LR / 4);
      expect(getLearningRate(b)).toBe(LR / 4);
      const beforeA = values(varsA);
      const beforeB = values(varsB);
      apply(a, varsA, 4);
      apply(b, varsB, 4);
      const dA = delta(values(varsA), beforeA);
      const dB = delta(values(varsB), beforeB);
      expect(Math.max(...dA.map(Math.abs))).toBeGreaterThan(1e-4);
      // Same state, a quarter of the rate: exactly a quarter of the step (up to float32 rounding).
      // A reset state (fresh momentum or moments) would give a different direction, not dA / 4.
      dA.forEach((d, i) => expect(dB[i]).toBeCloseTo(d / 4, 5));
      tf.dispose([...varsA, ...varsB]);
      a.dispose();
      b.dispose();
    });
  }

  it('leaks no tensors when called repeatedly (SGD replaces its kept scalar)', () => {
    const opt = makeOptimizer(configFor('momentum'));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) setLearningRate(opt, LR / (i + 2));
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
  });

  it('rejects a negative or non-finite rate', () => {
    const opt = makeOptimizer(configFor('adam'));
    expect(() => setLearningRate(opt, -1)).toThrow();
    expect(() => setLearningRate(opt, Number.NaN)).toThrow();
    opt.dispose();
  });
});

describe('optimizer state round trip (checkpoints)', () => {
  // 5 steps: after 5 Adam steps tfjs's own setWeights gets accBeta2 wrong in the last bit.
  const WARMUP = [1, 2, 3, 4, 5];

  for (const name of OPTIMIZERS) {
    it(`${name}: a fresh optimizer restored from optimizerWeights makes exactly the same next updates`, async () => {
      const varsA = makeVars('ra');
      const varsB = makeVars('rb');
      const a = makeOptimizer(configFor(name));
      for (const s of WARMUP) apply(a, varsA, s);
      const snap = await snapshot(() => optimizerWeights(a));
      expect(snap[0]).toMatchObject({ name: 'iter', dtype: 'int32' });
      expect(snap[0].data[0]).toBe(WARMUP.length);

      // Resume: new variables with the checkpointed values, a new optimizer, the saved state.
      copyInto(varsB, varsA);
      const b = makeOptimizer(configFor(name));
      const restored = restoreTensors(snap);
      await restoreOptimizerWeights(b, restored);
      tf.dispose(restored.map((w) => w.tensor)); // the caller's copies: the optimizer keeps its own
      expect(b.iterations).toBe(WARMUP.length);

      for (const s of [6, 7, 8]) {
        apply(a, varsA, s);
        apply(b, varsB, s);
      }
      const va = values(varsA);
      const vb = values(varsB);
      va.forEach((x, i) => expect(Array.from(vb[i])).toEqual(Array.from(x)));
      tf.dispose([...varsA, ...varsB]);
      a.dispose();
      b.dispose();
    });
  }

  it('tfjs alone: Adam restored with plain getWeights/setWeights drifts in the last bit (why the helpers exist)', async () => {
    const varsA = makeVars('pa');
    const varsB = makeVars('pb');
    const a = makeOptimizer(configFor('adam'));
    for (const s of WARMUP) apply(a, varsA, s);
    const snap = await snapshot(() => a.getWeights(), true);
    copyInto(varsB, varsA);
    const b = makeOptimizer(configFor('adam'));
    await b.setWeights(restoreTensors(snap));
    for (const s of [6, 7, 8]) {
      apply(a, varsA, s);
      apply(b, varsB, s);
    }
    const d = delta(values(varsA), values(varsB)).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(1e-5);
    tf.dispose([...varsA, ...varsB]);
    a.dispose();
    b.dispose();
  });

  it('optimizerWeights returns copies the caller may dispose; restoring into a used optimizer frees its old state', async () => {
    const vars = makeVars('own');
    const opt = makeOptimizer(configFor('rmsprop'));
    for (const s of WARMUP) apply(opt, vars, s);
    const saved = await optimizerWeights(opt);
    tf.dispose(saved.map((w) => w.tensor));
    apply(opt, vars, 6); // still works: its state was not disposed with the copies
    const again = await optimizerWeights(opt);
    const before = tf.memory().numTensors;
    await restoreOptimizerWeights(opt, again);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(again.map((w) => w.tensor));
    apply(opt, vars, 7);
    tf.dispose(vars);
    opt.dispose();
  });
});
