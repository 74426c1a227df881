// 2-D embeddings of a layer's activations (experiment 7: the classes drift apart with depth), by
// UMAP through the umap-js library, seeded so a report repeats. Pure TypeScript (no tfjs): takes the
// features layerFeatures() reads, returns one point per example for a scatter plot coloured by class.
import { UMAP } from 'umap-js';
import { seededRandom } from '../data/arrays';

export interface EmbeddingPoint {
  x: number;
  y: number;
  /** The example's class. */
  label: number;
  /** The example's index in its dataset (the image shown on hover). */
  index: number;
}

export interface EmbedOptions {
  /** Neighbours UMAP's graph keeps per point (local vs global structure); clipped to count − 1. */
  nNeighbors?: number;
  minDist?: number;
  nEpochs?: number;
  seed?: number;
}

/**
 * Embeds `count` rows of `dim` features in 2-D. `labels[k]` and `indices[k]` belong to row k.
 * Coordinates are rescaled to [0, 1] on the longer axis (the aspect ratio kept) and rounded for reports.
 */
export function embed2d(
  features: { values: ArrayLike<number>; count: number; dim: number },
  labels: ArrayLike<number>,
  indices: ArrayLike<number>,
  o: EmbedOptions = {},
): EmbeddingPoint[] {
  const { values, count, dim } = features;
  if (count < 3) throw new Error(`an embedding needs at least 3 points, got ${count}`);
  const rows: number[][] = Array.from({ length: count }, (_, k) => Array.from({ length: dim }, (_, j) => values[k * dim + j]));
  const umap = new UMAP({
    nComponents: 2, nNeighbors: Math.min(o.nNeighbors ?? 15, count - 1), minDist: o.minDist ?? 0.1, nEpochs: o.nEpochs ?? 200,
    random: seededRandom(o.seed ?? 1),
  });
  const xy = umap.fit(rows);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of xy) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return xy.map(([x, y], k) => ({ x: r4((x - x0) / span), y: r4((y - y0) / span), label: labels[k], index: indices[k] }));
}

/**
 * How well the classes separate in an embedding: the fraction of points whose nearest other point
 * has the same class (1 = every point sits among its own class).
 */
export function neighbourAgreement(points: readonly EmbeddingPoint[]): number {
  let same = 0;
  for (let i = 0; i < points.length; i++) {
    let best = Infinity;
    let label = -1;
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue;
      const d = (points[i].x - points[j].x) ** 2 + (points[i].y - points[j].y) ** 2;
      if (d < best) {
        best = d;
        label = points[j].label;
      }
    }
    if (label === points[i].label) same++;
  }
  return points.length ? same / points.length : NaN;
}
