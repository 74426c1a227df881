// Conv2D gradient kernels (core/train/kernels) on wasm and cpu, checked against the cpu backend's
// stock gradient and float64 finite differences: stride 1 and 2 (and 3), 'same' and 'valid',
// odd and non-square sizes, batch 1.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels, trainingKernelsRegistered } from '@/core/train/kernels';
import { useNodeBackend } from '@/node';
import { conv64, dot, finiteDiff, gradsOn, randoms, relErr, withStockCpu, type ConvCase } from './kernels-helpers';

const CASES: ConvCase[] = [
  { n: 1, h: 7, w: 9, c: 3, kh: 3, kw: 3, f: 4, stride: 1, pad: 'same' },
  { n: 1, h: 7, w: 9, c: 3, kh: 3, kw: 3, f: 4, stride: 1, pad: 'valid' },
  { n: 2, h: 9, w: 7, c: 2, kh: 5, kw: 3, f: 3, stride: 2, pad: 'same' },
  { n: 1, h: 9, w: 11, c: 2, kh: 3, kw: 4, f: 5, stride: 2, pad: 'valid' },
  // The forward conv never reads the last rows/columns here (crop path of the kernels).
  { n: 2, h: 10, w: 11, c: 1, kh: 3, kw: 3, f: 2, stride: 3, pad: 'valid' },
  { n: 1, h: 5, w: 5, c: 4, kh: 5, kw: 5, f: 1, stride: 1, pad: 'same' },
  { n: 3, h: 8, w: 8, c: 2, kh: 2, kw: 2, f: 3, stride: 2, pad: 'same' },
];

const label = (k: ConvCase) => `${k.n}×${k.h}×${k.w}×${k.c}, kernel ${k.kh}×${k.kw}→${k.f}, stride ${k.stride}, ${k.pad}`;

beforeAll(async () => {
  await useNodeBackend('wasm');
  registerTrainingKernels('cpu');
});

describe('registration', () => {
  it('installs our kernels on wasm and cpu, idempotently, and leaves the stock ones reachable for tests', () => {
    expect(registerTrainingKernels('wasm')).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']);
    expect(registerTrainingKernels('wasm')).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']);
    expect(registerTrainingKernels('webgl')).toEqual([]);
    expect(trainingKernelsRegistered('wasm')).toBe(true);
    expect(trainingKernelsRegistered('cpu')).toBe(true);
    withStockCpu(() => expect(trainingKernelsRegistered('cpu')).toBe(false));
    expect(trainingKernelsRegistered('cpu')).toBe(true);
  });
});

describe.each(CASES)('conv2d gradients, $n×$h×$w×$c k$kh×$kw f$f stride $stride $pad', (k) => {
  it(`match float64 finite differences and the stock cpu gradient (${label(k)})`, async () => {
    const x = randoms(k.n * k.h * k.w * k.c, 11 + k.h * k.kw);
    const w = randoms(k.kh * k.kw * k.c * k.f, 5 + k.f);
    const outShape = conv64(x, w, k).shape;
    const r = randoms(outShape.reduce((a, b) => a * b, 1), 99);
    // L = Σ r·conv(x, w): the kernels then see dy = r.
    const fdX = finiteDiff((xx) => dot(conv64(xx, w, k).y, r), x);
    const fdW = finiteDiff((ww) => dot(conv64(x, ww, k).y, r), w);

    const rt = () => tf.tensor(Float32Array.from(r), outShape);
    const loss = (xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, k.stride, k.pad), rt())) as tf.Scalar;
    const inputs = [
      { values: x, shape: [k.n, k.h, k.w, k.c] },
      { values: w, shape: [k.kh, k.kw, k.c, k.f] },
    ];
    const stock = await withStockCpu(() => gradsOn('cpu', loss, inputs));
    const cpu = await gradsOn('cpu', loss, inputs);
    const wasm = await gradsOn('wasm', loss, inputs);
    expect(tf.getBackend()).toBe('wasm');

    for (const [name, [gx, gw]] of Object.entries({ stock, cpu, wasm })) {
      expect(relErr(gx, fdX), `${name} dx vs finite differences`).toBeLessThan(1e-4);
      expect(relErr(gw, fdW), `${name} dW vs finite differences`).toBeLessThan(1e-4);
    }
    expect(relErr(wasm[0], stock[0])).toBeLessThan(1e-5);
    expect(relErr(wasm[1], stock[1])).toBeLessThan(1e-5);
    expect(relErr(cpu[1], stock[1])).toBeLessThan(1e-5);
  });
});

describe('conv2d gradients through layers (fused conv + bias + relu)', () => {
  it('give the same weight gradients on wasm as on stock cpu', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: 'ones', biasInitializer: 'zeros' });
      const x = tf.tensor4d(Float32Array.from(randoms(2 * 7 * 7 * 2, 3)), [2, 7, 7, 2]);
      tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
      const res = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar);
      const out = Object.values(res.grads).map((g) => g.dataSync() as Float32Array);
      tf.dispose([x, res.value, ...Object.values(res.grads)]);
      layer.dispose();
      return out;
    };
    const stock = await withStockCpu(() => run('cpu'));
    const wasm = await run('wasm');
    expect(wasm).toHaveLength(2);
    wasm.forEach((g, i) => expect(relErr(g, stock[i])).toBeLessThan(1e-5));
  });

  it('do not leak tensors on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 9, 9, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 4]) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]));
    tf.dispose(step());
    const before = tf.memory().numTensors;
    const bytes = (tf.memory() as { numBytesInWASM?: number }).numBytesInWASM;
    for (let i = 0; i < 5; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.memory() as { numBytesInWASM?: number }).numBytesInWASM).toBe(bytes);
    tf.dispose([x, w]);
  });
});
