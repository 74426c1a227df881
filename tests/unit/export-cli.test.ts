// netwright export in process: a trained project in every format, and the refusals (untrained
// project, unknown format, missing --out, --out a file) with exit code 2 and one line.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io';
import { main } from '../../cli/main';
import { serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import { trainedLike } from './helpers/export-graphs';

let dir: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'netwright-export-cli-'));
  const graph = instantiate(templateById('lenet-5')!);
  const t = await trainedLike(graph);
  t.model.dispose();
  const run: RunRecord = {
    id: 'run-1', name: 'LeNet-5, 1 epoch', createdAt: 1_790_000_000_000, graph, config: DEFAULT_TRAIN_CONFIG, dataset: { kind: 'mnist' }, state: 'done',
    curves: { trainLoss: [[100, 1], [200, 0.5]], trainAcc: [], valLoss: [], valAcc: [], learningRate: [[0, 0.001]] }, epoch: 1, weights: t.weights,
  };
  writeFileSync(join(dir, 'trained.json'), serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG, runs: [run] }));
  writeFileSync(join(dir, 'untrained.json'), serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG }));
  writeFileSync(join(dir, 'a-file'), 'x');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('netwright export', () => {
  it.each([
    ['tfjs', ['model.json', 'weights.bin', 'netwright-layers.js', 'README.md']],
    ['onnx', ['model.onnx', 'README.md']],
    ['pytorch', ['model.py', 'model.safetensors', 'train.py', 'README.md']],
    ['card', ['MODEL_CARD.md']],
  ])('writes the %s export of the latest trained run into --out', async (format, names) => {
    const r = await cli('export', 'trained.json', '--format', format, '--out', `out-${format}`);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, `out-${format}`)).sort()).toEqual([...names].sort());
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ command: 'export', format, runId: 'run-1' });
    expect(report.files.map((f: { name: string }) => f.name)).toEqual(names);
    expect(r.stderr).toMatch(/wrote .* into out-/);
  });

  it('the card names the run', () => {
    expect(readFileSync(join(dir, 'out-card', 'MODEL_CARD.md'), 'utf8')).toContain('LeNet-5, 1 epoch');
  });

  it.each([
    [['untrained.json', '--format', 'onnx', '--out', 'x'], /has no trained run with weights: train it first/],
    [['trained.json', '--format', 'keras', '--out', 'x'], /unknown format "keras" \(use tfjs, onnx, pytorch, card\)/],
    [['trained.json', '--out', 'x'], /--format is required/],
    [['trained.json', '--format', 'onnx'], /--out DIR is required/],
    [['trained.json', '--format', 'onnx', '--out', 'a-file'], /is a file, not a folder/],
    [['missing.json', '--format', 'onnx', '--out', 'x'], /cannot read missing.json: no such file/],
    [[], /needs one trained project file/],
  ])('refuses %j with exit 2 and one line', async (argv, message) => {
    const r = await cli('export', ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('has help, and is listed in the main help', async () => {
    const r = await cli('export', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--format tfjs|onnx|pytorch|card');
    expect((await cli('--help')).stdout).toContain('netwright export <trained project>');
  });
});
