// Hand-made filter banks for a frozen first convolution (issue 10, experiment 2): oriented
// gradients (first derivative of a Gaussian at 8 directions), Gabor filters (4 orientations × even
// and odd phase) and Sobel (±x, ±y; 3×3 only). Each filter is zero-mean with unit L2 norm, so the
// banks differ in shape, not in scale. Pure numbers: no tfjs.

export const FILTER_PRESETS = ['none', 'oriented', 'gabor', 'sobel'] as const;
export type FilterPreset = (typeof FILTER_PRESETS)[number];

/** Filters in a bank (the conv's output channels). */
export function presetFilterCount(preset: string): number {
  return preset === 'oriented' || preset === 'gabor' ? 8 : preset === 'sobel' ? 4 : 0;
}

/** Why a bank cannot be made at this size, if it cannot. */
export function checkPreset(preset: string, kernel: number): string | undefined {
  if (preset === 'sobel' && kernel !== 3) return 'The Sobel bank is 3×3: set the kernel size to 3.';
  if ((preset === 'oriented' || preset === 'gabor') && kernel < 3) return 'Oriented and Gabor banks need a kernel of at least 3×3.';
  return undefined;
}

function normalize(f: Float64Array): Float64Array {
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  for (let i = 0; i < f.length; i++) f[i] -= mean;
  const norm = Math.sqrt(f.reduce((a, b) => a + b * b, 0)) || 1;
  for (let i = 0; i < f.length; i++) f[i] /= norm;
  return f;
}

/** The bank's filters, each k×k row-major (index y*k + x, y down, x right). */
export function filterBank(preset: string, k: number): Float64Array[] {
  const problem = checkPreset(preset, k);
  if (problem) throw new Error(problem);
  const c = (k - 1) / 2;
  const sigma = Math.max(0.8, k / 4);
  const make = (fn: (x: number, y: number) => number) => {
    const f = new Float64Array(k * k);
    for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) f[y * k + x] = fn(x - c, y - c);
    return normalize(f);
  };
  const gauss = (x: number, y: number) => Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
  switch (preset) {
    case 'oriented':
      return Array.from({ length: 8 }, (_, i) => {
        const t = (i * Math.PI) / 4;
        return make((x, y) => (x * Math.cos(t) + y * Math.sin(t)) * gauss(x, y));
      });
    case 'gabor': {
      const lambda = Math.max(2.5, k / 1.5);
      return Array.from({ length: 8 }, (_, i) => {
        const t = ((i >> 1) * Math.PI) / 4;
        const phase = i % 2 === 0 ? 0 : Math.PI / 2;
        return make((x, y) => Math.cos((2 * Math.PI * (x * Math.cos(t) + y * Math.sin(t))) / lambda + phase) * gauss(x, y));
      });
    }
    case 'sobel': {
      const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
      const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
      return [gx, gx.map((v) => -v), gy, gy.map((v) => -v)].map((f) => normalize(Float64Array.from(f)));
    }
    default:
      return [];
  }
}

/** The bank as a tfjs conv kernel [k, k, inChannels, filters]; each filter sees the mean of the channels. */
export function presetKernel(preset: string, k: number, inChannels: number): { shape: [number, number, number, number]; values: Float32Array } {
  const bank = filterBank(preset, k);
  const f = bank.length;
  const values = new Float32Array(k * k * inChannels * f);
  for (let p = 0; p < k * k; p++) for (let ch = 0; ch < inChannels; ch++) for (let o = 0; o < f; o++) values[(p * inChannels + ch) * f + o] = bank[o][p] / inChannels;
  return { shape: [k, k, inChannels, f], values };
}
