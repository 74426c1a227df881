// The autoencoder's blocks: Reconstruction (an image head, MSE on the input) and Upsample2D; the
// loss chosen by the head; the compile check that the head gives the input's shape; the exports'
// refusal (training on MSE with NaN accuracy runs end to end in cli-experiment-autoencoder.test.ts).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SPEC } from '../../renderer/src/core/blocks/index';
import { compile, CompileError } from '../../renderer/src/core/compile/compiler';
import { exportOnnx } from '../../renderer/src/core/export/onnx';
import { analyze } from '../../renderer/src/core/graph/analyze';
import { autoencoderNet } from '../../renderer/src/core/lab/experiments';
import { chain } from '../../renderer/src/core/lab/graphs';
import { headLoss, lossAndCorrect, reconstructs } from '../../renderer/src/core/train/step';
import { readModelWeights } from '../../renderer/src/core/train/weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = (channels = 1, upsample = true) => chain([
  ['img', 'Input', { kind: 'image', height: 8, width: 8, channels: 1 }],
  ['enc', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same' }],
  ['pool', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
  ...(upsample ? [['up', 'Upsample2D', { factor: 2 }] as const] : []),
  ['rec', 'Reconstruction', { channels, kernelSize: 3 }],
] as Parameters<typeof chain>[0]);

describe('Reconstruction and Upsample2D blocks', () => {
  it('shapes and parameter counts', () => {
    expect(BLOCK_SPEC.Upsample2D.shape({ factor: 2 }, [[7, 5, 3]]).shape).toEqual([14, 10, 3]);
    expect(BLOCK_SPEC.Upsample2D.shape({ factor: 2 }, [[12]]).error).toMatch(/image input/);
    expect(BLOCK_SPEC.Reconstruction.shape({ channels: 1, kernelSize: 3 }, [[28, 28, 16]]).shape).toEqual([28, 28, 1]);
    expect(BLOCK_SPEC.Reconstruction.paramCount({ channels: 1, kernelSize: 3 }, [[28, 28, 16]], [28, 28, 1])).toBe(9 * 16 + 1);
    const a = analyze(autoencoderNet());
    expect(a.ok).toBe(true);
    expect(a.blocks.reconstruction_1.shape).toEqual([28, 28, 1]);
  });

  it('an autoencoder graph is a valid network (the Reconstruction is its output), and compiles to an image model', () => {
    const { model, classes } = compile(tiny(), { seed: 1 });
    expect(model.outputs[0].shape).toEqual([null, 8, 8, 1]);
    expect(reconstructs(model)).toBe(true);
    expect(classes).toBe(0);
  });

  it('refuses a Reconstruction whose output is not the input’s shape', () => {
    expect(() => compile(tiny(1, false))).toThrow(CompileError);
    expect(() => compile(tiny(1, false))).toThrow(/must output its input's shape/);
    expect(() => compile(tiny(3))).toThrow(/8×8×3 but the Input is 8×8×1/);
  });

  it('the head chooses the loss: MSE against the input for an image output, cross-entropy for a classifier', () => {
    tf.tidy(() => {
      const xs = tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
      const out = tf.tensor4d([0.5, 0.5, 0.5, 0.5], [1, 2, 2, 1]);
      const r = headLoss(out, xs, tf.tensor2d([[1, 0]]), true);
      expect(r.loss.dataSync()[0]).toBeCloseTo((0.25 + 0 + 0.25 + 0.0625) / 4, 6);
      expect(Number.isNaN(r.correct.dataSync()[0])).toBe(true);
      const probs = tf.tensor2d([[0.8, 0.2]]);
      const ys = tf.tensor2d([[1, 0]]);
      expect(headLoss(probs, xs, ys, true).loss.dataSync()[0]).toBeCloseTo(lossAndCorrect(probs, ys, true).loss.dataSync()[0], 6);
    });
  });

  it('the exports refuse a reconstruction network with a clear message', async () => {
    const { model } = compile(tiny(), { seed: 1 });
    const weights = await readModelWeights(model);
    expect(() => exportOnnx({ graph: tiny(), weights })).toThrow(/Reconstruction \(autoencoder\) network cannot be exported/);
  });
});
