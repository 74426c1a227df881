// MaxPoolGrad as one pass over typed arrays. tfjs-backend-wasm 4.22's own MaxPoolGrad is wrong
// when windows leave input cells unread (e.g. pool 2 stride 2 'valid' on an odd width: some
// gradients come out 0) and is a single-threaded scalar loop; the cpu backend's goes through
// TensorBuffer.get per element. Semantics follow the cpu backend: per window, the first cell
// holding the maximum (strictly greater wins) gets the gradient; padding cells never do.
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** Reads inputs and allocates the output in the backend's own memory (no copies on wasm). */
function io(backend: tf.KernelBackend, backendName: string, shape: number[]) {
  if (backendName === 'wasm') {
    const b = backend as unknown as WasmLike;
    const out = b.makeOutput(shape, 'float32');
    // Views are taken after makeOutput: growing the wasm memory detaches older views.
    return { out, values: b.typedArrayFromHeap(out).fill(0), read: (t: tf.TensorInfo) => b.typedArrayFromHeap(t) };
  }
  const b = backend as unknown as CpuLike;
  const values = new Float32Array(shape.reduce((p, q) => p * q, 1));
  return { out: b.makeTensorInfo(shape, 'float32', values), values, read: (t: tf.TensorInfo) => b.data.get(t.dataId).values };
}

export function maxPoolGradKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (input.dtype !== 'float32') throw new Error(`MaxPoolGrad: float32 only, not ${input.dtype}`);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const { top, left } = info.padInfo;
    const { out, values: dx, read } = io(backend as tf.KernelBackend, backendName, input.shape);
    const x = read(input);
    const g = read(dy);
    const best = new Float32Array(c);
    const pos = new Int32Array(c);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        const r0 = Math.max(0, i * sh - top);
        const r1 = Math.min(h, i * sh - top + kh);
        for (let j = 0; j < ow; j++) {
          const c0 = Math.max(0, j * sw - left);
          const c1 = Math.min(w, j * sw - left + kw);
          best.fill(-Infinity);
          pos.fill(-1);
          for (let r = r0; r < r1; r++) {
            for (let col = c0; col < c1; col++) {
              const base = ((b * h + r) * w + col) * c;
              for (let d = 0; d < c; d++) {
                const v = x[base + d];
                if (v > best[d]) {
                  best[d] = v;
                  pos[d] = base + d;
                }
              }
            }
          }
          const o = ((b * oh + i) * ow + j) * c;
          for (let d = 0; d < c; d++) if (pos[d] >= 0) dx[pos[d]] += g[o + d];
        }
      }
    }
    return out;
  };
}
