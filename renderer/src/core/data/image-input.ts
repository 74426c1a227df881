// User pixels (a canvas drawing or a decoded PNG/JPEG) → the model's input, scaled like training
// batches (/255). Optional MNIST-style preprocessing, the way MNIST itself was made: crop to the
// ink, fit into 20×20 keeping the aspect ratio, place in 28×28 with the centre of mass in the
// middle; then centre-crop to the model's input as evaluation does. Pure: no DOM, no tfjs.

/** Straight (non-premultiplied) RGBA, row-major, as ImageData or a decoded PNG/JPEG gives it. */
export interface RgbaImage {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export interface ImageInputOptions {
  /** Crop to the ink, fit 20×20, centre by mass in 28×28 (needs a 1- or 3-channel input). Default false. */
  mnistStyle?: boolean;
  /**
   * Invert grey levels before anything else: true, false, or 'auto' = invert when the image's
   * border is mostly light (dark ink on paper). Default 'auto' in MNIST style, false otherwise.
   */
  invert?: boolean | 'auto';
  /** Grey level (0..255) that transparent pixels are composited over. Default 255 (white). */
  matte?: number;
  /** MNIST style: ink below this fraction of full scale (after levels) does not count for the crop. Default 0.15. */
  inkThreshold?: number;
}

export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

/** MNIST geometry: digits fitted into BOX×BOX, centred by mass in FIELD×FIELD. */
export const MNIST_FIELD = 28;
export const MNIST_BOX = 20;

/** Float planes 0..255, channels last. */
interface Planes {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** Composites RGBA over a grey matte; returns 1 channel (Rec. 601 luma) or 3 (RGB). */
function toPlanes(img: RgbaImage, channels: 1 | 3, matte: number): Planes {
  const { width, height, rgba } = img;
  const n = width * height;
  const data = new Float32Array(n * channels);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const a = rgba[p + 3] / 255;
    const r = rgba[p] * a + matte * (1 - a);
    const g = rgba[p + 1] * a + matte * (1 - a);
    const b = rgba[p + 2] * a + matte * (1 - a);
    if (channels === 1) data[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      data[i * 3] = r;
      data[i * 3 + 1] = g;
      data[i * 3 + 2] = b;
    }
  }
  return { data, width, height, channels };
}

/** Median of the outermost ring of pixels (channel mean), the background level of a photo or drawing. */
function borderMedian(p: Planes): number {
  const hist = new Uint32Array(256);
  let count = 0;
  const add = (x: number, y: number) => {
    let v = 0;
    for (let c = 0; c < p.channels; c++) v += p.data[(y * p.width + x) * p.channels + c];
    hist[Math.min(255, Math.max(0, Math.round(v / p.channels)))]++;
    count++;
  };
  for (let x = 0; x < p.width; x++) {
    add(x, 0);
    if (p.height > 1) add(x, p.height - 1);
  }
  for (let y = 1; y < p.height - 1; y++) {
    add(0, y);
    if (p.width > 1) add(p.width - 1, y);
  }
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc * 2 >= count) return v;
  }
  return 255;
}

/**
 * Area-average resampling (each output pixel is the mean of the source area it covers, with
 * fractional coverage at the edges): exact for integer down-scales, no aliasing, works up too.
 */
export function resampleArea(src: Float32Array, sw: number, sh: number, channels: number, dw: number, dh: number): Float32Array {
  const horizontal = new Float32Array(dw * sh * channels);
  const sx = sw / dw;
  for (let x = 0; x < dw; x++) {
    const x0 = x * sx;
    const x1 = x0 + sx;
    for (let xs = Math.floor(x0); xs < Math.min(sw, Math.ceil(x1)); xs++) {
      const w = (Math.min(x1, xs + 1) - Math.max(x0, xs)) / sx;
      if (w <= 0) continue;
      for (let y = 0; y < sh; y++) {
        for (let c = 0; c < channels; c++) horizontal[(y * dw + x) * channels + c] += src[(y * sw + xs) * channels + c] * w;
      }
    }
  }
  const out = new Float32Array(dw * dh * channels);
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let ys = Math.floor(y0); ys < Math.min(sh, Math.ceil(y1)); ys++) {
      const w = (Math.min(y1, ys + 1) - Math.max(y0, ys)) / sy;
      if (w <= 0) continue;
      const rowIn = ys * dw * channels;
      const rowOut = y * dw * channels;
      for (let i = 0; i < dw * channels; i++) out[rowOut + i] += horizontal[rowIn + i] * w;
    }
  }
  return out;
}

/** Copies the centred h×w window of `p` (zero padding where `p` is smaller), like evaluation's centre crop. */
function centreCrop(p: Planes, h: number, w: number): Planes {
  const oy = (p.height - h) >> 1;
  const ox = (p.width - w) >> 1;
  const c = p.channels;
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const sy = y + oy;
    if (sy < 0 || sy >= p.height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + ox;
      if (sx < 0 || sx >= p.width) continue;
      for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = p.data[(sy * p.width + sx) * c + k];
    }
  }
  return { data, width: w, height: h, channels: c };
}

/**
 * The MNIST recipe on a grey plane with light ink on a dark background: levels (background → 0,
 * brightest ink → 255), crop to the ink's bounding box, fit into 20×20 keeping the aspect ratio,
 * and place in 28×28 so that the centre of mass falls on pixel (14, 14) as in MNIST, shifted by
 * whole pixels and kept inside the field. No ink → an all-zero field.
 */
function mnistField(gray: Planes, background: number, inkThreshold: number): Planes {
  const { width, height, data } = gray;
  const field: Planes = { data: new Float32Array(MNIST_FIELD * MNIST_FIELD), width: MNIST_FIELD, height: MNIST_FIELD, channels: 1 };
  let max = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  const range = max - background;
  if (range < 16) return field; // no visible ink
  const levels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) levels[i] = Math.max(0, ((data[i] - background) / range) * 255);

  const cut = inkThreshold * 255;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (levels[y * width + x] > cut) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return field;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) crop[y * bw + x] = levels[(y + y0) * width + x + x0];

  const scale = MNIST_BOX / Math.max(bw, bh);
  const nw = Math.max(1, Math.min(MNIST_BOX, Math.round(bw * scale)));
  const nh = Math.max(1, Math.min(MNIST_BOX, Math.round(bh * scale)));
  const box = resampleArea(crop, bw, bh, 1, nw, nh);

  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const v = box[y * nw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const cx = mass > 0 ? mx / mass : (nw - 1) / 2;
  const cy = mass > 0 ? my / mass : (nh - 1) / 2;
  // MNIST's digits have their centre of mass at (14, 14) in pixel indices (measured: 14.01, 13.98
  // over the test set), half a pixel right of and below the geometric middle 13.5.
  const mid = MNIST_FIELD / 2;
  const ox = Math.min(MNIST_FIELD - nw, Math.max(0, Math.round(mid - cx)));
  const oy = Math.min(MNIST_FIELD - nh, Math.max(0, Math.round(mid - cy)));
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) field.data[(y + oy) * MNIST_FIELD + x + ox] = Math.min(255, box[y * nw + x]);
  }
  return field;
}

/**
 * Turns user pixels into one model input for `inputShape` [h, w, c] (c = 1 grey or 3 RGB):
 * float32, channels last, values in [0, 1] (÷255, as `assembleBatch` scales dataset bytes).
 * Plain mode resizes the whole image to h×w by area averaging (an image already h×w passes
 * through unchanged). MNIST style builds the 28×28 MNIST field (see `mnistField`), then
 * centre-crops (or zero-pads) it to h×w like evaluation's centre crop.
 */
export function imageToModelInput(img: RgbaImage, inputShape: readonly number[], options: ImageInputOptions = {}): Float32Array {
  if (inputShape.length !== 3) throw new ImageInputError(`the model input must be an image [height, width, channels], got [${inputShape.join(', ')}]`);
  const [h, w, c] = inputShape;
  if (c !== 1 && c !== 3) throw new ImageInputError(`only 1-channel (grey) or 3-channel (RGB) inputs can take an image, this model takes ${c}`);
  if (!(img.width > 0 && img.height > 0) || img.rgba.length !== img.width * img.height * 4) {
    throw new ImageInputError(`bad image: ${img.width}×${img.height} needs ${img.width * img.height * 4} RGBA bytes, got ${img.rgba.length}`);
  }
  const matte = options.matte ?? 255;
  const mnist = options.mnistStyle ?? false;
  const src = toPlanes(img, mnist ? 1 : (c as 1 | 3), matte);

  const inv = options.invert ?? (mnist ? 'auto' : false);
  if (inv === true || (inv === 'auto' && borderMedian(src) > 127)) {
    for (let i = 0; i < src.data.length; i++) src.data[i] = 255 - src.data[i];
  }

  let out: Planes;
  if (mnist) {
    const field = mnistField(src, borderMedian(src), options.inkThreshold ?? 0.15);
    out = centreCrop(field, h, w);
  } else {
    out = src.width === w && src.height === h ? src : { data: resampleArea(src.data, src.width, src.height, src.channels, w, h), width: w, height: h, channels: src.channels };
  }

  const result = new Float32Array(h * w * c);
  const scale = 1 / 255;
  if (out.channels === c) {
    for (let i = 0; i < result.length; i++) result[i] = Math.min(255, Math.max(0, out.data[i])) * scale;
  } else {
    // grey field → RGB input: the same level in every channel
    for (let i = 0; i < h * w; i++) {
      const v = Math.min(255, Math.max(0, out.data[i])) * scale;
      for (let k = 0; k < c; k++) result[i * c + k] = v;
    }
  }
  return result;
}

/** A model input (values in [0, 1]) back to bytes, to show what the model sees. */
export function inputToPixels(input: Float32Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, input[i])) * 255);
  return out;
}

/** Dataset pixels (uint8, h×w×c with c = 1 grey, 3 RGB or 4 RGBA) → opaque RGBA for ImageData. */
export function pixelsToRgba(pixels: Uint8Array, height: number, width: number, channels: number): Uint8ClampedArray {
  const n = height * width;
  if (pixels.length !== n * channels) throw new ImageInputError(`${height}×${width}×${channels} pixels need ${n * channels} bytes, got ${pixels.length}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const r = pixels[p];
    const g = channels >= 3 ? pixels[p + 1] : r;
    const b = channels >= 3 ? pixels[p + 2] : r;
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = channels === 4 ? pixels[p + 3] : 255;
  }
  return out;
}
