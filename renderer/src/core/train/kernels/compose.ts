// Running a backend's own registered kernels from inside another kernel. Kernels receive and
// return TensorInfo (no engine bookkeeping), so intermediates are freed with disposeData; this is
// how tfjs's own backends compose kernels, and it keeps the engine's tensor count untouched.
import * as tf from '@tensorflow/tfjs';

type Attrs = Record<string, unknown>;

export class Composer {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend; the result is freed by `dispose()` unless `keep`. */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Attrs = {}, keep = false): tf.TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (!kernel) throw new Error(`Kernel '${name}' not registered for backend '${this.backendName}'`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend });
    const info = Array.isArray(out) ? out[0] : out;
    if (!keep) this.temps.push(info);
    return info;
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /**
   * A stride-1 conv (the backend's fast path: XNNPACK on wasm) with explicit padding
   * [top, bottom, left, right]; negative entries crop the input first instead.
   */
  conv(x: tf.TensorInfo, filter: tf.TensorInfo, dilations: [number, number], pads: [number, number, number, number], keep = false): tf.TensorInfo {
    const [top, bottom, left, right] = pads;
    let input = x;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = x.shape;
      const t = Math.max(0, -top);
      const l = Math.max(0, -left);
      const size = [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c];
      input = this.run('Slice', { x }, { begin: [0, t, l, 0], size });
    }
    const p = (v: number) => Math.max(0, v);
    const pad = [[0, 0], [p(top), p(bottom)], [p(left), p(right)], [0, 0]];
    return this.run('Conv2D', { x: input, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined }, keep);
  }

  /** Frees every intermediate (not the kept result). */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `f` with a Composer and frees its intermediates however it ends. */
export function compose<T>(backend: tf.KernelBackend, backendName: string, f: (c: Composer) => T): T {
  const c = new Composer(backend, backendName);
  try {
    return f(c);
  } finally {
    c.dispose();
  }
}
