// Conv2D gradients written as forward convolutions, so they run on the backend's fastest kernel
// (XNNPACK with SIMD, and threads where available, on wasm). tfjs-backend-wasm 4.22 has no
// Conv2DBackpropFilter at all (tfjs issue 8474) and its Conv2DBackpropInput is a single-threaded
// scalar loop; the cpu backend's filter gradient is a scalar loop too (~90% of a step).
//
// Shapes are NHWC; filters [kh, kw, C, F]; dilation of the forward conv is 1 (tfjs's Conv2D
// gradient itself refuses dilated convs).
import * as tf from '@tensorflow/tfjs';
import { compose } from './compose';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function convInfo(xShape: number[], filterShape: number[], strides: number | [number, number], pad: Pad, rounding: Rounding, dataFormat: unknown) {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`conv gradient: only NHWC is supported, not ${String(dataFormat)}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    rounding,
    false,
    'channelsLast',
  );
}

/**
 * dW[a,b,c,f] = Σ_{n,i,j} x[n, i·s+a−pt, j·s+b−pl, c] · dy[n,i,j,f]: a stride-1 conv of x
 * transposed to [C,H,W,N] (batch C, channels N) with dy transposed to [OH,OW,N,F] as the kernel,
 * dilated by the forward stride. The result [C,kh,kw,F] is transposed to [kh,kw,C,F].
 */
export function conv2dBackpropFilterAsConv(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as { strides: [number, number] | number; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding; filterShape: number[] };
    const info = convInfo(x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
    const { top, left } = info.padInfo;
    return compose(backend as tf.KernelBackend, backendName, (c) => {
      const xt = c.transpose(x, [3, 1, 2, 0]);
      const dyt = c.transpose(dy, [1, 2, 0, 3]);
      // Bottom/right padding that makes the output exactly kh×kw; negative crops rows the forward
      // conv never read ('valid' with a stride that does not divide the size).
      const bottom = kh + (oh - 1) * sh - h - top;
      const right = kw + (ow - 1) * sw - w - left;
      const g = c.conv(xt, dyt, [sh, sw], [top, bottom, left, right]);
      return c.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }, true);
    });
  };
}

/**
 * dx = conv(dy with stride−1 zeros inserted between rows and columns, W rotated 180° and
 * transposed to [kh,kw,F,C]), stride 1, padded by k−1−p on the top/left.
 */
export function conv2dBackpropInputAsConv(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as { inputShape: number[]; strides: [number, number] | number; pad: Pad; dataFormat?: string; dimRoundingMode?: Rounding };
    const info = convInfo(a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
    return compose(backend as tf.KernelBackend, backendName, (c) => {
      let d = dy;
      if (sh > 1 || sw > 1) {
        // Zero insertion with two 4-D pads (the wasm PadV2 is fastest at rank ≤ 4).
        const [n, oh, ow, f] = dy.shape;
        const rows = c.run('PadV2', { x: c.reshape(dy, [n * oh, 1, ow * f, 1]) }, { paddings: [[0, 0], [0, sh - 1], [0, 0], [0, 0]], constantValue: 0 });
        const cols = c.run('PadV2', { x: c.reshape(rows, [n * oh * sh, ow, 1, f]) }, { paddings: [[0, 0], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
        d = c.reshape(cols, [n, oh * sh, ow * sw, f]);
      }
      const rotated = c.transpose(c.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
      const top = kh - 1 - info.padInfo.top;
      const left = kw - 1 - info.padInfo.left;
      const bottom = h + kh - 1 - d.shape[1] - top;
      const right = w + kw - 1 - d.shape[2] - left;
      return c.conv(d, rotated, [1, 1], [top, bottom, left, right], true);
    });
  };
}
