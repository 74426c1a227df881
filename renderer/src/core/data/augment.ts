// Training-time augmentation beyond the random crop: horizontal flips and small shifts. Pure and
// tfjs-free (the dataset preview draws augmented examples with it on the UI thread). Every draw
// comes from a seeded generator made from the run's seed, the epoch and the batch's position, so a
// run, and a run resumed from a checkpoint, sees the same augmented batches.
import { seededRandom } from './arrays';

export type ShiftPadding = 'zero' | 'edge';

export interface Augmentation {
  /** Mirror left↔right with probability 1/2. */
  flip: boolean;
  /** Move the image by up to ±shift pixels in x and y (uniform integers); 0 = off. */
  shift: number;
  /** What fills the uncovered border: zeros (black) or the nearest edge pixel. */
  padding: ShiftPadding;
}

/** The augmentation a training config asks for, or null when it is all off. */
export function augmentationOf(c: { flipHorizontal?: boolean; shiftPixels?: number; shiftPadding?: ShiftPadding }): Augmentation | null {
  const shift = Math.max(0, Math.floor(c.shiftPixels ?? 0));
  const flip = c.flipHorizontal === true;
  if (!flip && shift === 0) return null;
  return { flip, shift, padding: c.shiftPadding ?? 'zero' };
}

/**
 * The generator of one batch's augmentation draws: a function of (seed, epoch, first example's
 * position in the epoch) only, so a resumed run needs no winding forward.
 */
export function augmentRandom(seed: number, epoch: number, position: number): () => number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (epoch + 0x632be5ab), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (position + 0x27d4eb2f), 0x165667b1) >>> 0;
  return seededRandom((h ^ (h >>> 16)) >>> 0);
}

/** One example's draw: flip or not, and the shift (dy, dx), in this order from `rnd`. */
export interface AugmentDraw {
  flip: boolean;
  dy: number;
  dx: number;
}

export function drawAugmentation(aug: Augmentation, rnd: () => number): AugmentDraw {
  const flip = aug.flip && rnd() < 0.5;
  const n = aug.shift;
  const dy = n > 0 ? Math.floor(rnd() * (2 * n + 1)) - n : 0;
  const dx = n > 0 ? Math.floor(rnd() * (2 * n + 1)) - n : 0;
  return { flip, dy, dx };
}

/**
 * Applies a draw to one H×W×C channels-last image in place (`img` may be a view into a batch).
 * out(y, x) = in(y − dy, x' − dx) with x' the mirrored column when flipped: a positive dx moves
 * the content right, a positive dy moves it down. `tmp` (H·W·C) avoids an allocation per image.
 */
export function applyAugmentation(
  img: Float32Array | Uint8Array,
  h: number,
  w: number,
  c: number,
  d: AugmentDraw,
  padding: ShiftPadding,
  tmp: Float32Array = new Float32Array(h * w * c),
): void {
  if (!d.flip && d.dy === 0 && d.dx === 0) return;
  tmp.set(img.subarray(0, h * w * c));
  for (let y = 0; y < h; y++) {
    let sy = y - d.dy;
    const outY = sy < 0 || sy >= h;
    if (outY) sy = sy < 0 ? 0 : h - 1;
    for (let x = 0; x < w; x++) {
      let sx = x - d.dx;
      const outX = sx < 0 || sx >= w;
      if (outX) sx = sx < 0 ? 0 : w - 1;
      if (d.flip) sx = w - 1 - sx;
      const o = (y * w + x) * c;
      if ((outY || outX) && padding === 'zero') {
        for (let k = 0; k < c; k++) img[o + k] = 0;
      } else {
        const p = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) img[o + k] = tmp[p + k];
      }
    }
  }
}
