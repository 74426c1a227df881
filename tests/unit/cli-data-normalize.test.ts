// The normalization a run was trained with is recorded with its dataset (project file, run's
// `dataset.preprocessing`): eval and predict apply it without --normalize, and give the same
// numbers as when it is repeated; a different --normalize is refused; older files still work.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io';
import { main } from '../../cli/main';
import { parseProject } from '../../renderer/src/core/graph/project';
import { shapeFolder, writeTree } from './helpers/data-fixtures';

let dir: string;

async function cli(...argv: string[]) {
  const err: string[] = [];
  const io: Io = { stdout: { write: () => undefined }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stderr: err.join('') };
}

const json = <T>(name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
type Eval = { testAccuracy: number; testLoss: number; testExamples: number };
type Predict = { predictions: { label: string; probabilities: number[] }[]; normalization?: { mean: number[]; std: number[] } };
const RUN = ['--backend', 'wasm'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nw-data-norm-'));
  writeTree(join(dir, 'shapes'), shapeFolder(12, 5));
  writeTree(join(dir, 'more'), shapeFolder(2, 9));
  const t = await cli('train', 'logistic-regression', '--data', 'shapes', '--normalize', 'standardize', '--epochs', '3', '--batch', '16', '--seed', '3', ...RUN, '--out', 'run.json');
  expect(t.code, t.stderr).toBe(0);
}, 120_000);

describe('normalization recorded with a run', () => {
  it('is in the trained project file, and reads back', () => {
    const project = parseProject(readFileSync(join(dir, 'run.json'), 'utf8'));
    const d = project.runs![0].dataset;
    expect(d.kind).toBe('imported');
    if (d.kind !== 'imported') return;
    expect(d.preprocessing).toMatchObject({ normalization: 'standardize', resize: 'stretch', color: 'auto', input: { bytes: true } });
    const { mean, std } = d.preprocessing!.input;
    expect(mean).toHaveLength(3);
    expect(new Set(mean).size).toBe(1); // one mean over all channels
    expect(std!.every((s) => s > 0 && s !== 1)).toBe(true);
  });

  it('eval without --normalize gives the numbers of eval with it', async () => {
    const a = await cli('eval', 'run.json', '--data', 'shapes', '--normalize', 'standardize', ...RUN, '--report', 'e1.json');
    expect(a.code, a.stderr).toBe(0);
    const b = await cli('eval', 'run.json', '--data', 'shapes', ...RUN, '--report', 'e2.json');
    expect(b.code, b.stderr).toBe(0);
    const [e1, e2] = [json<Eval>('e1.json'), json<Eval>('e2.json')];
    expect(e2.testExamples).toBe(e1.testExamples);
    expect(e2.testAccuracy).toBe(e1.testAccuracy);
    expect(e2.testLoss).toBeCloseTo(e1.testLoss, 6);
    expect(e1.testAccuracy).toBeGreaterThan(0.5);
  }, 60_000);

  it('predict, with or without --data and --normalize, applies the recorded normalization', async () => {
    const a = await cli('predict', 'run.json', 'more/red', 'more/blue', '--data', 'shapes', '--normalize', 'standardize', ...RUN, '--report', 'p1.json');
    expect(a.code, a.stderr).toBe(0);
    const b = await cli('predict', 'run.json', 'more/red', 'more/blue', ...RUN, '--report', 'p2.json');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toMatch(/scaled to \[0, 1\]/);
    const [p1, p2] = [json<Predict>('p1.json'), json<Predict>('p2.json')];
    expect(p2.normalization).toEqual(p1.normalization);
    expect(p2.predictions.map((p) => p.label)).toEqual(p1.predictions.map((p) => p.label));
    p2.predictions.forEach((p, i) => p.probabilities.forEach((v, k) => expect(v).toBeCloseTo(p1.predictions[i].probabilities[k], 6)));
  }, 60_000);

  it('refuses another --normalize than the recorded one', async () => {
    const r = await cli('eval', 'run.json', '--data', 'shapes', '--normalize', 'unit', ...RUN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trained with --normalize standardize, not unit/);
  });

  it('an older file without the record loads, and predict falls back to [0, 1] without --data', async () => {
    const raw = json<{ runs: { dataset: Record<string, unknown> }[] }>('run.json');
    delete raw.runs[0].dataset.preprocessing;
    writeFileSync(join(dir, 'old.json'), JSON.stringify(raw));
    const old = await cli('predict', 'old.json', 'more/red', 'more/blue', ...RUN, '--report', 'p3.json');
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toMatch(/recorded no normalization/);
    const p1 = json<Predict>('p1.json');
    expect(json<Predict>('p3.json').predictions[0].probabilities).not.toEqual(p1.predictions[0].probabilities);
  }, 60_000);
});
