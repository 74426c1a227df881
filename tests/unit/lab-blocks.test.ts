// Frozen hand-made filter banks on Conv2D (preset): the banks themselves, the block's shapes and
// counts, and that training leaves the bank untouched while the rest of the net learns.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '@/node';
import { checkPreset, filterBank, presetKernel } from '@/core/blocks/filterbanks';
import { compile } from '@/core/compile/compiler';
import { analyze } from '@/core/graph/analyze';
import { chain } from '@/core/lab/graphs';
import { trainableVariables, trainStep } from '@/core/train/step';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

describe('filter banks', () => {
  it('every filter is zero-mean with unit norm; banks have 8, 8 and 4 filters', () => {
    for (const [preset, k, n] of [['oriented', 5, 8], ['gabor', 7, 8], ['sobel', 3, 4]] as const) {
      const bank = filterBank(preset, k);
      expect(bank).toHaveLength(n);
      for (const f of bank) {
        expect(f).toHaveLength(k * k);
        expect(f.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
        expect(Math.hypot(...f)).toBeCloseTo(1, 10);
      }
    }
    expect(checkPreset('sobel', 5)).toMatch(/3×3/);
    expect(() => filterBank('sobel', 5)).toThrow(/3×3/);
  });

  it('oriented filters respond to a ramp by its direction: +x strongest for 0°, opposite sign at 180°, none at 90°', () => {
    const k = 5;
    const ramp = Float64Array.from({ length: k * k }, (_, i) => i % k); // brighter to the right
    const bank = filterBank('oriented', k);
    const resp = bank.map((f) => f.reduce((a, v, i) => a + v * ramp[i], 0));
    expect(resp[0]).toBeGreaterThan(0);
    expect(resp[4]).toBeCloseTo(-resp[0], 10);
    expect(resp[2]).toBeCloseTo(0, 10);
    expect(Math.max(...resp)).toBe(resp[0]);
  });

  it('the tfjs kernel lays the bank out as [k, k, in, filters], split evenly over input channels', () => {
    const { shape, values } = presetKernel('sobel', 3, 2);
    expect(shape).toEqual([3, 3, 2, 4]);
    const bank = filterBank('sobel', 3);
    // kernel[y][x][c][o] = bank[o][y*3+x] / 2
    expect(values[((1 * 3 + 2) * 2 + 1) * 4 + 2]).toBeCloseTo(bank[2][5] / 2, 6);
  });
});

describe('Conv2D with a preset bank', () => {
  const graph = chain([
    ['input_1', 'Input', { kind: 'image', height: 8, width: 8, channels: 1 }],
    ['conv2d_1', 'Conv2D', { preset: 'oriented', kernelSize: 5, filters: 3, padding: 'same', activation: 'relu', useBias: false }],
    ['flatten_1', 'Flatten'],
    ['classifier_1', 'Classifier', { classes: 3 }],
  ]);

  it('takes the bank’s filter count for shape, parameters and multiply-adds', () => {
    const a = analyze(graph);
    expect(a.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(a.blocks.conv2d_1.shape).toEqual([8, 8, 8]);
    const bad = analyze(chain([['input_1', 'Input', { kind: 'image', height: 8, width: 8, channels: 1 }], ['conv2d_1', 'Conv2D', { preset: 'sobel', kernelSize: 5 }]]));
    expect(bad.issues.some((i) => i.severity === 'error' && /3×3/.test(i.message))).toBe(true);
  });

  it('is built with the bank as its kernel, not trained, while the classifier learns', () => {
    const { model } = compile(graph, { seed: 3 });
    const conv = model.getLayer('conv2d_1');
    const kernel = conv.getWeights()[0];
    const expected = presetKernel('oriented', 5, 1);
    expect(kernel.shape).toEqual(expected.shape);
    Array.from(kernel.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.values[i], 6));
    const vars = trainableVariables(model);
    expect(vars.some((v) => v.name.startsWith('conv2d_1'))).toBe(false);
    const before = model.getLayer('classifier_1').getWeights()[0].dataSync().slice();
    const opt = tf.train.sgd(0.5);
    const xs = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 4);
    const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3);
    for (let s = 0; s < 3; s++) {
      const r = trainStep(model, opt, xs, ys, true, vars);
      tf.dispose([r.loss, r.correct]);
    }
    expect(Array.from(conv.getWeights()[0].dataSync())).toEqual(Array.from(kernel.dataSync()));
    expect(Array.from(model.getLayer('classifier_1').getWeights()[0].dataSync())).not.toEqual(Array.from(before));
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
