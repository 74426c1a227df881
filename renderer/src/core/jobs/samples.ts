// The samples job: raw examples by index for galleries (confusion-matrix cells, mistakes), with
// display bytes for float datasets and only the asked examples read from a streamed split.
import { isStreamed, type AnyDataset } from '../data/arrays';
import { displayBytes } from '../data/thumbnails';
import type { JobResult } from '../train/protocol';

export async function samplesOf(whole: AnyDataset, indices: readonly number[]): Promise<Extract<JobResult, { kind: 'samples' }>> {
  for (const idx of indices) if (!Number.isInteger(idx) || idx < 0 || idx >= whole.count) throw new Error(`sample index ${idx} is outside 0..${whole.count - 1}`);
  // A streamed split: only the asked examples are read, then indexed 0..n-1.
  const ds = isStreamed(whole) ? { ...whole, images: await whole.read(indices), labels: Int32Array.from(indices, (i) => whole.labels[i]) } : whole;
  const at = (i: number, idx: number) => (isStreamed(whole) ? i : idx);
  const size = ds.height * ds.width * ds.channels;
  const images = new Uint8Array(indices.length * size);
  // Float datasets: their values as stored, and display bytes scaled back to 0..255 per image.
  const values = ds.images instanceof Float32Array ? new Float32Array(indices.length * size) : undefined;
  const labels = new Int32Array(indices.length);
  indices.forEach((idx, i) => {
    const one = ds.images.subarray(at(i, idx) * size, (at(i, idx) + 1) * size);
    images.set(displayBytes(one, ds.scale), i * size);
    values?.set(one, i * size);
    labels[i] = ds.labels[at(i, idx)];
  });
  const names = ds.classNames ? { classNames: ds.classNames } : {};
  return { kind: 'samples', images, height: ds.height, width: ds.width, channels: ds.channels, labels, ...(values ? { values } : {}), ...names };
}
