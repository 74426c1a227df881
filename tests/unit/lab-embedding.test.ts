// 2-D embedding (umap-js): well-separated clusters in 20-D stay separated in 2-D, labels and
// indices travel with their points, and the same seed repeats the embedding.
import { describe, expect, it } from 'vitest';
import { embed2d, neighbourAgreement } from '../../renderer/src/core/eval/embedding';
import { seededRandom } from '../../renderer/src/core/data/arrays';

function clusters(k: number, per: number, dim: number, spread: number, seed = 3) {
  const r = seededRandom(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => (r() * 2 - 1) * 10));
  const values = new Float32Array(k * per * dim);
  const labels: number[] = [];
  const indices: number[] = [];
  for (let c = 0; c < k; c++)
    for (let p = 0; p < per; p++) {
      const row = c * per + p;
      for (let j = 0; j < dim; j++) values[row * dim + j] = centres[c][j] + (r() * 2 - 1) * spread;
      labels.push(c);
      indices.push(1000 + row);
    }
  return { features: { values, count: k * per, dim }, labels, indices };
}

describe('embed2d', () => {
  it('keeps well-separated clusters separated: every point’s nearest neighbour is of its class, and each cluster is compact', () => {
    const { features, labels, indices } = clusters(4, 30, 20, 0.5);
    const pts = embed2d(features, labels, indices, { seed: 7, nEpochs: 200 });
    expect(pts).toHaveLength(120);
    expect(pts[37]).toMatchObject({ label: 1, index: 1037 });
    for (const p of pts) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(1);
    }
    expect(neighbourAgreement(pts)).toBe(1);
    // Clusters are compact: the largest within-cluster distance is below the smallest between-cluster one.
    const dist = (a: (typeof pts)[0], b: (typeof pts)[0]) => Math.hypot(a.x - b.x, a.y - b.y);
    let within = 0;
    let between = Infinity;
    for (let i = 0; i < pts.length; i++)
      for (let j = i + 1; j < pts.length; j++) {
        const d = dist(pts[i], pts[j]);
        if (pts[i].label === pts[j].label) within = Math.max(within, d);
        else between = Math.min(between, d);
      }
    expect(within).toBeLessThan(between);
  });

  it('mixes classes that are not separated (the measure is not always 1), and repeats with the same seed', () => {
    const { features, indices } = clusters(1, 60, 10, 5, 9);
    const shuffled = Array.from({ length: 60 }, (_, i) => i % 3);
    const pts = embed2d(features, shuffled, indices, { seed: 2, nEpochs: 100 });
    expect(neighbourAgreement(pts)).toBeLessThan(0.8);
    expect(embed2d(features, shuffled, indices, { seed: 2, nEpochs: 100 })).toEqual(pts);
  });
});
