// Repeatable Dropout: a new mask every training step, the same sequence for the same seed,
// identity at inference, and a save/load round trip.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { dropoutCalls, SeededDropout, setDropoutCalls } from '../../renderer/src/core/compile/layers/index';
import type { Graph } from '../../renderer/src/core/graph/types';
import { trainableVariables, trainStep } from '../../renderer/src/core/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const at = { x: 0, y: 0 };
const GRAPH: Graph = {
  version: 1,
  blocks: [
    { id: 'inputVec', type: 'Input', params: { kind: 'vector', length: 30 }, position: at },
    { id: 'hidden', type: 'Dense', params: { units: 40, activation: 'relu' }, position: at },
    { id: 'dropA', type: 'Dropout', params: { rate: 0.3 }, position: at },
    { id: 'head', type: 'Classifier', params: { classes: 5 }, position: at },
  ],
  edges: [['inputVec', 'hidden'], ['hidden', 'dropA'], ['dropA', 'head']].map(([source, target], i) => ({ id: `e${i}`, source, target })),
};

const ones = () => tf.ones([250, 40]);
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const x = () => tf.randomNormal([8, 30], 0, 1, 'float32', 11);

describe('SeededDropout layer', () => {
  it('keeps about 1 − rate of the activations, scaled by 1 / (1 − rate); a new mask each call', () => {
    const layer = new SeededDropout({ rate: 0.3, seed: 4 });
    const input = ones();
    const masks: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const out = values(layer.apply(input, { training: true }) as tf.Tensor);
      for (const v of out) expect(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6).toBe(true);
      const kept = out.filter((v) => v !== 0).length / out.length;
      expect(kept).toBeGreaterThan(0.68); // 10,000 draws: σ ≈ 0.0046
      expect(kept).toBeLessThan(0.72);
      masks.push(out);
    }
    expect(masks[1]).not.toEqual(masks[0]);
    expect(masks[2]).not.toEqual(masks[1]);
    expect(layer.calls).toBe(3);
  });

  it('the same seed repeats the same mask sequence; another seed does not', () => {
    const a = new SeededDropout({ rate: 0.5, seed: 9 });
    const b = new SeededDropout({ rate: 0.5, seed: 9 });
    const c = new SeededDropout({ rate: 0.5, seed: 10 });
    const input = ones();
    for (let i = 0; i < 3; i++) {
      const va = values(a.apply(input, { training: true }) as tf.Tensor);
      expect(values(b.apply(input, { training: true }) as tf.Tensor)).toEqual(va);
      expect(values(c.apply(input, { training: true }) as tf.Tensor)).not.toEqual(va);
    }
  });

  it('is the identity at inference and does not advance its counter', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    const input = tf.randomNormal([4, 40], 0, 1, 'float32', 2);
    expect(values(layer.apply(input) as tf.Tensor)).toEqual(values(input));
    expect(values(layer.apply(input, { training: false }) as tf.Tensor)).toEqual(values(input));
    expect(layer.calls).toBe(0);
  });

  it('refuses a rate outside [0, 1) and a fractional seed', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow();
    expect(() => new SeededDropout({ rate: 0.5, seed: 1.5 })).toThrow();
  });
});

describe('compiled Dropout blocks', () => {
  it('compile to SeededDropout with a seed, to the stock layer without', () => {
    const seeded = compile(GRAPH, { seed: 3 }).model;
    const plain = compile(GRAPH).model;
    expect(seeded.getLayer('dropA')).toBeInstanceOf(SeededDropout);
    expect(plain.getLayer('dropA').getClassName()).toBe('Dropout');
    seeded.dispose();
    plain.dispose();
  });

  it('two models with the same seed give identical outputs over several training-mode calls', () => {
    const a = compile(GRAPH, { seed: 3 }).model;
    const b = compile(GRAPH, { seed: 3 }).model;
    const input = x();
    const outs: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const oa = values(a.apply(input, { training: true }) as tf.Tensor);
      expect(values(b.apply(input, { training: true }) as tf.Tensor)).toEqual(oa);
      outs.push(oa);
    }
    expect(outs[1]).not.toEqual(outs[0]); // the mask changed between calls
    // Inference: no dropout, the same output every time.
    const p1 = values(a.predict(input) as tf.Tensor);
    expect(values(a.predict(input) as tf.Tensor)).toEqual(p1);
    expect(dropoutCalls(a)).toBe(4);
    a.dispose();
    b.dispose();
  });

  it('training repeats exactly with the same seed (weights after 3 steps), and a resumed counter continues the sequence', () => {
    const input = x();
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5).toFloat();
    const run = (model: tf.LayersModel, steps: number, opt = tf.train.sgd(0.5)) => {
      for (let i = 0; i < steps; i++) {
        const r = trainStep(model, opt, input, labels, true, trainableVariables(model));
        tf.dispose([r.loss, r.correct]);
      }
      return opt;
    };
    const a = compile(GRAPH, { seed: 8 }).model;
    const b = compile(GRAPH, { seed: 8 }).model;
    run(a, 3);
    run(b, 3);
    a.getWeights().forEach((w, i) => expect(values(b.getWeights()[i])).toEqual(values(w)));

    // Resume: a fresh model with a's weights and counter continues exactly like a.
    const c = compile(GRAPH, { seed: 8 }).model;
    c.setWeights(a.getWeights());
    setDropoutCalls(c, dropoutCalls(a));
    run(a, 2);
    run(c, 2);
    a.getWeights().forEach((w, i) => expect(values(c.getWeights()[i])).toEqual(values(w)));
    // Without restoring the counter the masks repeat the first steps' and the weights differ.
    const d = compile(GRAPH, { seed: 8 }).model;
    const e = compile(GRAPH, { seed: 8 }).model;
    run(d, 3);
    e.setWeights(d.getWeights());
    run(d, 1);
    run(e, 1);
    expect(values(e.getWeights()[0])).not.toEqual(values(d.getWeights()[0]));
    [a, b, c, d, e].forEach((m) => m.dispose());
  });

  it('round-trips through save and tf.loadLayersModel', async () => {
    const { model } = compile(GRAPH, { seed: 5 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved) throw new Error('nothing saved');
    const topology = JSON.parse(JSON.stringify(saved.modelTopology)) as object;
    expect(JSON.stringify(topology)).toContain('"class_name":"SeededDropout"');
    const weightData = saved.weightData as ArrayBuffer;
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved.weightSpecs, weightData }));
    const layer = loaded.getLayer('dropA');
    expect(layer).toBeInstanceOf(SeededDropout);
    expect(layer.getConfig()).toMatchObject({ rate: 0.3, seed: (model.getLayer('dropA') as SeededDropout).seed });
    const input = x();
    expect(values(loaded.predict(input) as tf.Tensor)).toEqual(values(model.predict(input) as tf.Tensor));
    // Same seed, counter from 0: the loaded model draws the same masks as the original did.
    const fresh = compile(GRAPH, { seed: 5 }).model;
    fresh.setWeights(model.getWeights());
    expect(values(loaded.apply(input, { training: true }) as tf.Tensor)).toEqual(values(fresh.apply(input, { training: true }) as tf.Tensor));
    [model, loaded, fresh].forEach((m) => m.dispose());
  });
});
