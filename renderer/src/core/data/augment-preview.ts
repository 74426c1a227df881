// Augmented examples for the dataset preview: sample images with the training settings applied as
// training applies them — the random crop to the model's input size (when the images are larger),
// then the flip and shift draws of `augment.ts`. Pure and tfjs-free (runs on the UI thread).
import { applyAugmentation, drawAugmentation, type Augmentation } from './augment';

export interface PreviewImage {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export interface AugmentedPreview extends PreviewImage {
  /** What was done, in words ("crop at 2,1 · flipped · shifted +1,−2"), for the caption. */
  caption: string;
}

/**
 * One augmented copy of each `images` entry (bytes, H×W×C): a random crop to `crop` (H, W) when
 * that is smaller than the image, then `aug`'s draws. `rnd` makes the draws (a new seed = new ones).
 */
export function augmentedPreview(images: PreviewImage[], aug: Augmentation | null, crop: readonly [number, number] | null, rnd: () => number): AugmentedPreview[] {
  return images.map((img) => {
    const words: string[] = [];
    let { pixels, height: h, width: w } = img;
    const c = img.channels;
    if (crop && (crop[0] < h || crop[1] < w)) {
      const [ch, cw] = [Math.min(crop[0], h), Math.min(crop[1], w)];
      const oy = Math.floor(rnd() * (h - ch + 1));
      const ox = Math.floor(rnd() * (w - cw + 1));
      const out = new Uint8Array(ch * cw * c);
      for (let y = 0; y < ch; y++) out.set(pixels.subarray(((y + oy) * w + ox) * c, ((y + oy) * w + ox + cw) * c), y * cw * c);
      pixels = out;
      h = ch;
      w = cw;
      words.push(`crop at ${ox},${oy}`);
    } else pixels = pixels.slice();
    if (aug) {
      const d = drawAugmentation(aug, rnd);
      applyAugmentation(pixels, h, w, c, d, aug.padding);
      if (d.flip) words.push('flipped');
      if (d.dx || d.dy) words.push(`shifted ${d.dx >= 0 ? '+' : ''}${d.dx},${d.dy >= 0 ? '+' : ''}${d.dy}`);
    }
    return { pixels, height: h, width: w, channels: c, caption: words.join(' · ') || 'unchanged' };
  });
}
