// Local contrast normalisation (Jarrett et al. 2009), see compile/layers/lcn.ts for the maths.
// ONNX and PyTorch lower it to standard operators: the Gaussian-weighted local mean over all
// channels is one convolution with a normalised Gaussian window spread over the channels, then a
// division by the constant border-coverage map; then a subtraction, a square, the same mean, a
// max with ε², a square root, a mean, a max and a division.
import { float, int, needsImage, noParams, num, py, type BlockSpec } from './spec';
import { close } from './tfjs-import';

/** The LocalContrastNorm layer's default ε (the compiler does not change it). */
export const LCN_EPSILON = 1e-4;

/** 1-D Gaussian of odd length `size`, normalised to sum 1 (the 2-D window is its outer product). */
export function gaussian1d(size: number, sigma: number): number[] {
  const r = (size - 1) / 2;
  const g: number[] = [];
  for (let i = 0; i < size; i++) g.push(Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / sum);
}

/** For each position along an axis, the part of the 1-D window's weight that lies inside [0, size). */
export function insideWeight(size: number, g: number[]): number[] {
  const r = (g.length - 1) / 2;
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    let w = 0;
    for (let p = -r; p <= r; p++) if (i + p >= 0 && i + p < size) w += g[p + r];
    out.push(w);
  }
  return out;
}

/** The [height, width] map of window weight inside the image (rows ⊗ cols). */
export function coverageMap(height: number, width: number, g: number[]): Float32Array {
  const rows = insideWeight(height, g);
  const cols = insideWeight(width, g);
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) out[i * width + j] = rows[i] * cols[j];
  return out;
}

export const localContrastNorm: BlockSpec = {
  type: 'LocalContrastNorm', label: 'Local contrast norm', category: 'Normalization', inputs: 1,
  description: 'Subtracts a Gaussian-weighted local mean, then divides by the local standard deviation (Jarrett et al. 2009).',
  params: [
    int('kernelSize', 'Window', 9, 3, 31, 'Size of the Gaussian window (odd).'),
    float('sigma', 'Sigma', 2, 0.5, 16, 0.5, 'Standard deviation of the Gaussian window, in pixels.'),
  ],
  shape: (_p, inputs) => needsImage('Local contrast norm', inputs) ?? { shape: [...inputs[0]] },
  paramCount: noParams,
  checkParams: (p) => (num(p, 'kernelSize') % 2 === 1 ? undefined : 'Window must be odd so it has a centre pixel.'),
  // As compiled: two local means (of x and of v²), each a mean over the C channels plus a separable
  // k + k blur, plus one square per element.
  multiplyAdds: (p, inputs) => {
    const [h, w, c] = inputs[0];
    return h * w * (2 * (c + 2 * num(p, 'kernelSize')) + c);
  },
  // σ at a pixel reads v over a k window, and each v reads x over another k window: one output sees
  // 2k − 1 pixels, like a stride-1 'same' convolution of that size (checked against its gradient).
  geometry: (p) => ({ kernel: 2 * num(p, 'kernelSize') - 1, stride: 1, padding: 'same', dilation: 1 }),
  layer: ({ name, params: p, custom }) => new custom.LocalContrastNorm({ name, kernelSize: num(p, 'kernelSize'), sigma: num(p, 'sigma') }),
  tfjs: (p) => ({ className: 'LocalContrastNorm', config: { kernel_size: num(p, 'kernelSize'), sigma: num(p, 'sigma'), epsilon: LCN_EPSILON } }),
  tfjsRegistration: {
    className: 'LocalContrastNorm',
    source: `class LocalContrastNorm extends Layer {
  static className = 'LocalContrastNorm';
  constructor(args = {}) {
    super(args);
    this.kernelSize = args.kernelSize ?? 9;
    this.sigma = args.sigma ?? 2;
    this.epsilon = args.epsilon ?? 1e-4;
  }
  computeOutputShape(inputShape) {
    return Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [, height, width] = x.shape;
      const k = this.kernelSize;
      const r = (k - 1) / 2;
      const g0 = [];
      for (let i = 0; i < k; i++) g0.push(Math.exp(-((i - r) ** 2) / (2 * this.sigma * this.sigma)));
      const total = g0.reduce((a, b) => a + b, 0);
      const g = g0.map((v) => v / total);
      const inside = (size) => {
        const out = [];
        for (let i = 0; i < size; i++) {
          let w = 0;
          for (let p = -r; p <= r; p++) if (i + p >= 0 && i + p < size) w += g[p + r];
          out.push(w);
        }
        return out;
      };
      const rows = inside(height);
      const cols = inside(width);
      const cover = new Float32Array(height * width);
      for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) cover[i * width + j] = rows[i] * cols[j];
      const coverage = tf.tensor4d(cover, [1, height, width, 1]);
      const down = tf.tensor4d(g, [k, 1, 1, 1]);
      const across = tf.tensor4d(g, [1, k, 1, 1]);
      const localMean = (t) => tf.div(tf.conv2d(tf.conv2d(tf.mean(t, -1, true), down, 1, 'same'), across, 1, 'same'), coverage);
      const v = tf.sub(x, localMean(x));
      const sigmaMap = tf.sqrt(tf.maximum(localMean(tf.square(v)), this.epsilon * this.epsilon));
      const c = tf.broadcastTo(tf.mean(sigmaMap, [1, 2, 3], true), sigmaMap.shape);
      return tf.div(v, tf.maximum(sigmaMap, c));
    });
  }
  getConfig() {
    return { ...super.getConfig(), kernelSize: this.kernelSize, sigma: this.sigma, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LocalContrastNorm);`,
  },
  tfjsImport: {
    classNames: ['LocalContrastNorm'],
    read: ({ name, config: c }) => {
      close(c.epsilon, LCN_EPSILON, 'epsilon', name);
      return { params: { kernelSize: Number(c.kernel_size ?? 9), sigma: Number(c.sigma ?? 2) } };
    },
  },
  onnx: (ctx) => {
    const k = num(ctx.params, 'kernelSize');
    const r = (k - 1) / 2;
    const [height, width, channels] = ctx.inputShapes[0];
    const g = gaussian1d(k, num(ctx.params, 'sigma'));
    // One conv = mean over channels then the 2-D Gaussian: weight g_i·g_j / C for every channel.
    const window = new Float32Array(channels * k * k);
    for (let c = 0; c < channels; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) window[(c * k + i) * k + j] = (g[i] * g[j]) / channels;
    const W = ctx.constant(`${ctx.id}_window`, [1, channels, k, k], window);
    const cover = ctx.constant(`${ctx.id}_coverage`, [1, 1, height, width], coverageMap(height, width, g));
    const t = (hint: string) => ctx.tmp(`${ctx.id}_${hint}`);
    const localMean = (x: string, hint: string): string => {
      const blurred = t(`${hint}_blur`);
      const mean = t(`${hint}_mean`);
      ctx.node('Conv', [x, W], [blurred], { kernel_shape: { ints: [k, k] }, strides: { ints: [1, 1] }, pads: { ints: [r, r, r, r] } });
      ctx.node('Div', [blurred, cover], [mean]);
      return mean;
    };
    const x = ctx.inputs[0];
    const v = t('v');
    ctx.node('Sub', [x, localMean(x, 'x')], [v]);
    const v2 = t('v2');
    ctx.node('Mul', [v, v], [v2]);
    const floored = t('floored');
    ctx.node('Max', [localMean(v2, 'v2'), ctx.constant(`${ctx.id}_floor`, [], [LCN_EPSILON * LCN_EPSILON])], [floored]);
    const sigma = t('sigma');
    ctx.node('Sqrt', [floored], [sigma]);
    const c = t('c');
    ctx.node('ReduceMean', [sigma], [c], { axes: { ints: [1, 2, 3] }, keepdims: { i: 1 } });
    const divisor = t('divisor');
    ctx.node('Max', [sigma, c], [divisor]);
    ctx.node('Div', [v, divisor], [ctx.output]);
  },
  torch: (ctx) => ({
    module: `LocalContrastNorm(${num(ctx.params, 'kernelSize')}, ${py(num(ctx.params, 'sigma'))}, ${LCN_EPSILON})`,
    forward: ([x], m) => `${m}(${x})`,
    helpers: ['LocalContrastNorm'],
  }),
  pythonHelpers: {
    LocalContrastNorm: `class LocalContrastNorm(nn.Module):
    """Subtract a Gaussian-weighted local mean over all channels, divide by the local standard
    deviation (floored at eps and at its mean over the image); window weights outside the image
    are dropped and the rest renormalised (Jarrett et al. 2009, as Netwright computes it)."""

    def __init__(self, kernel_size, sigma, eps):
        super().__init__()
        self.kernel_size, self.sigma, self.eps = kernel_size, sigma, eps
        r = (kernel_size - 1) // 2
        g = [math.exp(-((i - r) ** 2) / (2 * sigma * sigma)) for i in range(kernel_size)]
        total = sum(g)
        self.g = [v / total for v in g]
        self.register_buffer('down', torch.tensor(self.g, dtype=torch.float32).view(1, 1, kernel_size, 1), persistent=False)
        self.register_buffer('across', torch.tensor(self.g, dtype=torch.float32).view(1, 1, 1, kernel_size), persistent=False)

    def inside(self, size):
        r = (self.kernel_size - 1) // 2
        out = []
        for i in range(size):
            w = 0.0
            for p in range(-r, r + 1):
                if 0 <= i + p < size:
                    w += self.g[p + r]
            out.append(w)
        return out

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        r = (self.kernel_size - 1) // 2
        rows, cols = self.inside(h), self.inside(w)
        cover = torch.tensor([[a * b for b in cols] for a in rows], dtype=torch.float32, device=x.device).view(1, 1, h, w)

        def local_mean(t):
            m = t.mean(dim=1, keepdim=True)
            m = F.conv2d(F.conv2d(m, self.down, padding=(r, 0)), self.across, padding=(0, r))
            return m / cover

        v = x - local_mean(x)
        sigma = torch.sqrt(torch.clamp(local_mean(v * v), min=self.eps * self.eps))
        c = sigma.mean(dim=(1, 2, 3), keepdim=True)
        return v / torch.maximum(sigma, c)`,
  },
};
