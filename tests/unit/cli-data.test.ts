// netwright data / train --data in process, on generated learnable datasets: an image folder of
// coloured bars, a gzipped IDX pair and an .npz of shifted bars. Trained accuracy must be far above
// chance (1/3, 1/4), and unusable data must exit 2 with its reason.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io';
import { main } from '../../cli/main';
import { encodeIdx } from '../../renderer/src/core/data/idx';
import { encodeNpy } from '../../renderer/src/core/data/sources';
import { barRows, deflatedZip, png, shapeFolder, writeTree } from './helpers/data-fixtures';

let dir: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const report = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nw-data-'));
  writeTree(join(dir, 'shapes'), shapeFolder(40, 5));
  writeFileSync(join(dir, 'shapes', 'notes.txt'), 'not data');
  const { x, y } = barRows(400, 4, 12, 3);
  const idx = join(dir, 'idx');
  writeTree(idx, new Map([
    ['train-images-idx3-ubyte.gz', new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', shape: [320, 12, 12], data: x.subarray(0, 320 * 144) })))],
    ['train-labels-idx1-ubyte.gz', new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', shape: [320], data: Uint8Array.from(y.slice(0, 320)) })))],
    ['t10k-images-idx3-ubyte.gz', new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', shape: [80, 12, 12], data: x.subarray(320 * 144) })))],
    ['t10k-labels-idx1-ubyte.gz', new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', shape: [80], data: Uint8Array.from(y.slice(320)) })))],
  ]));
  writeFileSync(join(dir, 'bars.npz'), deflatedZip([
    { name: 'x.npy', data: encodeNpy('<f4', [400, 12, 12], Float32Array.from(x, (v) => v / 255)) },
    { name: 'y.npy', data: encodeNpy('<i8', [400], y) },
  ]));
  writeTree(join(dir, 'oneclass'), new Map([['cats/1.png', png(4, 4, () => [1, 2, 3])], ['cats/2.png', png(4, 4, () => [3, 2, 1])]]));
}, 60_000);

describe('netwright data', () => {
  it('prints and writes the summary of a folder: classes, counts, shape, splits, skipped files', async () => {
    const r = await cli('data', 'shapes', '--report', 'r.json');
    expect(r.code).toBe(0);
    const s = report('r.json');
    expect(s.classes).toEqual(['blue', 'green', 'red']);
    expect(s.shape).toEqual([16, 16, 3]);
    expect([s.train, s.test]).toEqual([96, 24]);
    expect(s.counts).toEqual({ train: [32, 32, 32], test: [8, 8, 8] });
    expect(s.skipped).toEqual([{ file: 'notes.txt', reason: 'not inside a class folder' }]);
    expect(r.stderr).toMatch(/skipped notes\.txt: not inside a class folder/);
  });

  it('exits 2 with the reason for unusable data', async () => {
    const r = await cli('data', 'oneclass');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/oneclass cannot be used: .*only one class \(cats\)/);
    expect((await cli('data', 'nowhere')).code).toBe(2);
  });
});

describe('netwright train --data', () => {
  const train = async (data: string, out: string) => {
    const r = await cli('train', 'convnetjs-mnist', '--data', data, '--epochs', '4', '--batch', '16', '--backend', 'wasm', '--seed', '3', '--report', out);
    expect(r.code, r.stderr).toBe(0);
    return { ...report(out), stderr: r.stderr } as { testAccuracy: number; stderr: string };
  };

  it('trains on an image folder (colour: the Input takes 3 channels, the classifier 3 classes)', async () => {
    const r = await train('shapes', 't1.json');
    expect(r.stderr).toMatch(/set channels to 3/);
    expect(r.stderr).toMatch(/set classes to 3/);
    expect(r.testAccuracy).toBeGreaterThan(0.8);
  }, 120_000);

  it('trains on a gzipped IDX pair and on an .npz, well above chance (1/4)', async () => {
    const a = await train('idx', 't2.json');
    expect(a.testAccuracy).toBeGreaterThan(0.7);
    const b = await train('bars.npz', 't3.json');
    expect(b.stderr).toMatch(/set classes to 4/);
    expect(b.testAccuracy).toBeGreaterThan(0.7);
  }, 180_000);
});
