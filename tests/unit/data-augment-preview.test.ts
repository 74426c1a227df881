// The dataset preview's augmented examples: the training settings' crop, flip and shift applied to
// sample images, each a new draw per seed.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@/core/data/arrays';
import { augmentedPreview } from '@/core/data/augment-preview';

/** 4×6 grey image: value = 10·y + x. */
const img = () => ({ pixels: Uint8Array.from({ length: 24 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6)), height: 4, width: 6, channels: 1 });

describe('augmentedPreview', () => {
  it('no settings: the image unchanged (a copy)', () => {
    const src = img();
    const [out] = augmentedPreview([src], null, null, seededRandom(1));
    expect(Array.from(out.pixels)).toEqual(Array.from(src.pixels));
    expect(out.pixels).not.toBe(src.pixels);
    expect(out.caption).toBe('unchanged');
  });

  it('a crop to the model input takes a window of the image at the drawn offset', () => {
    for (let seed = 1; seed < 20; seed++) {
      const [out] = augmentedPreview([img()], null, [3, 4], seededRandom(seed));
      expect([out.height, out.width]).toEqual([3, 4]);
      const [ox, oy] = out.caption.replace('crop at ', '').split(',').map(Number);
      expect(ox).toBeGreaterThanOrEqual(0);
      expect(ox).toBeLessThanOrEqual(2);
      expect(oy).toBeLessThanOrEqual(1);
      expect(Array.from(out.pixels)).toEqual(Array.from({ length: 12 }, (_, i) => 10 * (Math.floor(i / 4) + oy) + (i % 4) + ox));
    }
  });

  it('flips mirror rows; shifts move the content with zero padding; draws differ between seeds', () => {
    const flipped = Array.from({ length: 30 }, (_, s) => augmentedPreview([img()], { flip: true, shift: 0, padding: 'zero' }, null, seededRandom(s))[0]);
    const f = flipped.find((o) => o.caption === 'flipped')!;
    expect(Array.from(f.pixels.subarray(0, 6))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(flipped.some((o) => o.caption === 'unchanged')).toBe(true);
    const shifted = Array.from({ length: 30 }, (_, s) => augmentedPreview([img()], { flip: false, shift: 1, padding: 'zero' }, null, seededRandom(s))[0]);
    const r = shifted.find((o) => o.caption === 'shifted +1,+0')!;
    expect(Array.from(r.pixels.subarray(0, 6))).toEqual([0, 0, 1, 2, 3, 4]);
    expect(new Set(shifted.map((o) => o.caption)).size).toBeGreaterThan(3);
  });
});
