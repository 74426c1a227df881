// netwright experiment on small MNIST subsets (wasm backend, in process): experiments 3, 5, 7 and 9
// run end to end through the job server and their reports show the claimed direction.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import type { Io } from '../../cli/io';
import { EXPERIMENT_IDS } from '../../renderer/src/core/lab/experiment';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-lab-'));
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function experiment(id: string, ...flags: string[]): Promise<any> {
  const report = join(dir, `${id}.json`);
  const r = await cli('experiment', id, '--backend', 'wasm', '--report', report, ...flags);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  expect(json.experiment).toBe(id);
  expect(typeof json.holds).toBe('boolean');
  expect(r.stderr).toMatch(json.holds ? /^Holds: /m : /^Does not hold: /m);
  return json;
}

describe('netwright experiment', () => {
  it('--list names every experiment id of the issue, in order', async () => {
    const r = await cli('experiment', '--list');
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[1]);
    expect(ids).toEqual([...EXPERIMENT_IDS]);
  });

  it('refuses an unknown id and a bad limit with exit 2', async () => {
    expect((await cli('experiment', 'nope')).code).toBe(2);
    expect((await cli('experiment', 'pixels', '--limit', '0')).code).toBe(2);
    // Every experiment of the issue runs now: none is listed as not runnable.
    expect((await cli('experiment', '--list')).stdout).not.toMatch(/not runnable yet/);
  });

  it('3 linear-collapse: the deep linear net ends near logistic regression, the ReLU net above both', async () => {
    const r = await experiment('linear-collapse', '--limit', '4000');
    const n = r.verdict.numbers;
    expect(r.runs.map((x: { key: string }) => x.key)).toEqual(['lr', 'linear', 'relu']);
    expect(Math.abs(n.deepLinear - n.logisticRegression)).toBeLessThanOrEqual(0.02);
    expect(n.deepRelu - n.logisticRegression).toBeGreaterThan(0.02);
    expect(n.deepRelu - n.deepLinear).toBeGreaterThan(0.02);
    expect(r.holds).toBe(true);
  }, 60_000);

  it('5 vanishing-gradients: the sigmoid net’s first-layer gradient norm is far below the ReLU net’s', async () => {
    const r = await experiment('vanishing-gradients', '--limit', '2000');
    const n = r.verdict.numbers;
    expect(n.layers[0]).toBe('dense_1');
    // Per-layer norms of both nets were recorded, every layer, from several readings.
    for (const run of r.runs) expect(run.gradientNorms.length).toBeGreaterThan(5);
    expect(n.sigmoid).toHaveLength(7);
    expect(n.sigmoidFirstLayer).toBeLessThan(n.reluFirstLayer / 10);
    expect(n.sigmoidFirstOverLast).toBeLessThan(n.reluFirstOverLast);
    expect(r.holds).toBe(true);
  }, 60_000);

  it('7 hidden-features: probe accuracy rises with depth on the trained net', async () => {
    const r = await experiment('hidden-features', '--limit', '3000');
    const probe = r.verdict.numbers.probe as { layer: string; testAccuracy: number; dim: number }[];
    expect(probe.map((p) => p.layer)).toEqual(['input_1', 'dense_1', 'dense_2', 'dense_3']);
    expect(probe.map((p) => p.dim)).toEqual([784, 256, 128, 64]);
    expect(probe[3].testAccuracy).toBeGreaterThan(probe[0].testAccuracy + 0.01);
    // 2-D embeddings ({x, y, label, index}) of the pixels and the last hidden layer; classes separate better at depth.
    const emb = r.verdict.numbers.embedding;
    expect(Object.keys(emb)).toEqual(['input_1', 'dense_3']);
    expect(emb.dense_3.points).toHaveLength(500);
    expect(Object.keys(emb.dense_3.points[0]).sort()).toEqual(['index', 'label', 'x', 'y']);
    expect(emb.dense_3.neighbourAgreement).toBeGreaterThan(emb.input_1.neighbourAgreement);
    expect(r.holds).toBe(true);
  }, 60_000);

  it('9 adversarial: the flip rate rises with ε and accuracy falls', async () => {
    const r = await experiment('adversarial', '--limit', '3000');
    const { epsilons, flipRate, accuracy } = r.verdict.numbers;
    expect(epsilons[0]).toBe(0);
    expect(flipRate[0]).toBe(0);
    for (let i = 1; i < flipRate.length; i++) expect(flipRate[i]).toBeGreaterThanOrEqual(flipRate[i - 1] - 0.01);
    expect(flipRate[flipRate.length - 1]).toBeGreaterThan(0.5);
    expect(accuracy[accuracy.length - 1]).toBeLessThan(accuracy[0] - 0.3);
    expect(r.holds).toBe(true);
    // The picture: images at their smallest flipping ε (to 0.005), original, perturbation and adversarial with both predictions.
    const examples = r.verdict.numbers.examples as { shape: number[]; epsilon: number | null; resolution: number; original: number[]; adversarial: number[]; perturbation: number[]; clean: { label: number; probability: number }; attacked: { label: number; probability: number } }[];
    expect(examples.length).toBe(5);
    const flipped = examples.filter((e) => e.epsilon !== null);
    expect(flipped.length).toBeGreaterThan(0);
    for (const e of flipped) {
      expect(e.attacked.label).not.toBe(e.clean.label);
      expect(e.resolution).toBe(0.005);
      expect(e.original.length).toBe(e.shape.reduce((a, b) => a * b, 1));
      expect(e.adversarial.length).toBe(e.original.length);
      expect(Math.max(...e.adversarial.map((v, i) => Math.abs(v - e.original[i])))).toBeLessThanOrEqual(e.epsilon! + 1e-3);
      expect(e.clean.probability).toBeGreaterThan(0);
    }
  }, 60_000);
});
