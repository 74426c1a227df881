// train --data --stream (decoded once into a cache folder, read from disk per batch) trains exactly
// like the in-memory import; eval and predict --data take the run's own dataset, refuse other
// data, name the classes and apply the dataset's normalization as training did.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io';
import { main } from '../../cli/main';
import { png, shapeFolder, writeTree } from './helpers/data-fixtures';

let dir: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

type Report = Record<string, unknown> & { curves: { trainLoss: [number, number][] }; testAccuracy: number };
const report = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Report;
const TRAIN = ['--epochs', '8', '--batch', '16', '--backend', 'wasm', '--seed', '3', '--normalize', 'per-channel'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nw-data-stream-'));
  writeTree(join(dir, 'shapes'), shapeFolder(20, 5));
  // Same classes, other images (a folder to predict on); and data with other classes.
  writeTree(join(dir, 'more'), shapeFolder(3, 9));
  writeTree(join(dir, 'other'), new Map([['cats/1.png', png(16, 16, () => [1, 2, 3])], ['dogs/1.png', png(16, 16, () => [3, 2, 1])], ['cats/2.png', png(16, 16, () => [9, 2, 3])], ['dogs/2.png', png(16, 16, () => [3, 9, 1])]]));
}, 60_000);

describe('train --data --stream, eval and predict --data', () => {
  it('streams from the cache with the loss curve of the in-memory run; eval and predict use the run\'s data', async () => {
    const mem = await cli('train', 'logistic-regression', '--data', 'shapes', ...TRAIN, '--out', 'mem.json', '--report', 'rm.json');
    expect(mem.code, mem.stderr).toBe(0);
    expect(mem.stderr).not.toMatch(/Streaming/);
    const str = await cli('train', 'logistic-regression', '--data', 'shapes', '--stream', '--cache', 'cache', ...TRAIN, '--out', 'str.json', '--report', 'rs.json');
    expect(str.code, str.stderr).toBe(0);
    expect(str.stderr).toMatch(/Streaming shapes \(48 train \+ 12 test\) from .*cache/);
    // The decoded examples are in the cache, in the store's layout (a folder per dataset).
    expect(readdirSync(join(dir, 'cache')).some((f) => existsSync(join(dir, 'cache', f, 'examples.bin')) && existsSync(join(dir, 'cache', f, 'dataset.json')))).toBe(true);
    const a = report('rm.json');
    const b = report('rs.json');
    expect(b.curves.trainLoss.length).toBeGreaterThan(2);
    expect(b.curves.trainLoss).toEqual(a.curves.trainLoss);
    expect(b.testAccuracy).toBe(a.testAccuracy);
    expect(a.testAccuracy).toBeGreaterThan(0.6);
    // Reopened: no decoding the second time.
    const again = await cli('train', 'logistic-regression', '--data', 'shapes', '--stream', '--cache', 'cache', ...TRAIN, '--report', 'rs2.json');
    expect(again.stderr).toMatch(/decoded before/);
    expect(report('rs2.json').curves.trainLoss).toEqual(a.curves.trainLoss);

    // eval: the run's data is needed, other data refused, the run's data gives training's test accuracy.
    const none = await cli('eval', 'str.json');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/trained on the dataset "shapes".*--data/);
    const wrong = await cli('eval', 'str.json', '--data', 'other');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/not the dataset run .* was trained on \("shapes"\): classes differ \(missing blue, green, red; not in the run: cats, dogs\)/);
    for (const extra of [[], ['--stream', '--cache', 'cache']]) {
      const ev = await cli('eval', 'str.json', '--data', 'shapes', ...extra, '--normalize', 'per-channel', '--backend', 'wasm', '--report', 'e.json');
      expect(ev.code, ev.stderr).toBe(0);
      const e = report('e.json');
      expect(e.testExamples).toBe(12);
      expect(e.classNames).toEqual(['blue', 'green', 'red']);
      expect(e.testAccuracy).toBeCloseTo(b.testAccuracy, 6);
    }

    // predict: class names, and the dataset's mean/std applied.
    const p = await cli('predict', 'str.json', 'more/red', 'more/blue', '--data', 'shapes', '--normalize', 'per-channel', '--backend', 'wasm', '--report', 'p.json');
    expect(p.code, p.stderr).toBe(0);
    const pr = report('p.json') as unknown as { predictions: { label: string; probabilities: number[] }[]; normalization: { mean: number[]; std: number[] } };
    expect(pr.normalization.mean).toHaveLength(3);
    expect(pr.normalization.std.every((s) => s > 0 && s !== 1)).toBe(true);
    expect(pr.predictions.map((x) => x.label)).toEqual(['red', 'red', 'red', 'blue', 'blue', 'blue']);
    // Without --data (and --normalize): the run recorded its normalization, so the same numbers.
    const raw = await cli('predict', 'str.json', 'more/red', 'more/blue', '--backend', 'wasm', '--report', 'p0.json');
    expect(raw.stderr).not.toMatch(/without --data/);
    const pr0 = report('p0.json') as unknown as { predictions: { probabilities: number[] }[]; normalization: unknown };
    expect(pr0.normalization).toEqual(pr.normalization);
    pr0.predictions.forEach((x, i) => x.probabilities.forEach((v, k) => expect(v).toBeCloseTo(pr.predictions[i].probabilities[k], 6)));
    expect(existsSync(join(dir, 'p.json'))).toBe(true);
  }, 240_000);

  it('--stream needs an image folder and --data', async () => {
    expect((await cli('train', 'logistic-regression', '--stream')).stderr).toMatch(/--stream needs --data/);
    const bad = await cli('train', 'logistic-regression', '--data', 'shapes/red/0.png', '--stream');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stream works for image folders/);
  });
});
