// Upsample2D (nearest, integer factor): forward against a naive loop, the gradient against the
// definition (each input cell collects the output weights of its factor×factor square), shape.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Upsample2D, upsampleNearest } from '../../renderer/src/core/compile/layers/upsample';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Upsample2D', () => {
  for (const [n, h, w, c, f] of [[2, 3, 4, 2, 2], [1, 2, 3, 3, 3]]) {
    it(`factor ${f} on ${n}×${h}×${w}×${c}: forward = naive nearest copy; gradient sums each square`, () => {
      const size = n * h * w * c;
      const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.7));
      const oh = h * f;
      const ow = w * f;
      const weights = Float32Array.from({ length: n * oh * ow * c }, (_, i) => Math.cos(i * 0.3));
      const [y, g] = tf.tidy(() => {
        const xt = tf.tensor4d(x, [n, h, w, c]);
        const wt = tf.tensor4d(weights, [n, oh, ow, c]);
        const grad = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(upsampleNearest(z as tf.Tensor4D, f), wt)))(xt);
        return [upsampleNearest(xt, f).dataSync(), grad.dataSync()];
      });
      const expectY = new Float32Array(n * oh * ow * c);
      const expectG = new Float32Array(size);
      for (let b = 0; b < n; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++)
            for (let k = 0; k < c; k++) {
              const src = ((b * h + Math.floor(i / f)) * w + Math.floor(j / f)) * c + k;
              const dst = ((b * oh + i) * ow + j) * c + k;
              expectY[dst] = x[src];
              expectG[src] += weights[dst];
            }
      expect(Array.from(y)).toEqual(Array.from(expectY));
      for (let i = 0; i < size; i++) expect(g[i]).toBeCloseTo(expectG[i], 5);
    });
  }

  it('computes its output shape and keeps its factor in the config', () => {
    const layer = new Upsample2D({ factor: 3 });
    expect(layer.computeOutputShape([null, 4, 5, 2])).toEqual([null, 12, 15, 2]);
    expect(layer.getConfig().factor).toBe(3);
    expect(() => new Upsample2D({ factor: 1.5 })).toThrow(/factor/);
  });
});
