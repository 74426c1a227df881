// netwright experiment 11 (autoencoder) on a small MNIST subset (wasm, in process): trained with
// mean squared error on its own input, the reconstruction error falls, the first layer's filters
// gain spatial structure, and the report carries reconstructions and filters.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import type { Io } from '../../cli/io';

describe('netwright experiment autoencoder', () => {
  it('11: the reconstruction MSE falls; filters gain gradient energy; reconstructions and filters are in the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-lab-'));
    const report = join(dir, 'ae.json');
    const err: string[] = [];
    const io: Io = { stdout: { write: () => {} }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
    const code = await main(['experiment', 'autoencoder', '--backend', 'wasm', '--limit', '2000', '--test-limit', '500', '--report', report], io);
    expect(code, err.join('')).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const n = r.verdict.numbers;
    // The run's loss is the MSE (the test loss is the trained reconstruction error); accuracy does not apply.
    expect(r.runs[0].testAccuracy).toBeNull();
    expect(r.runs[0].testLoss).toBeGreaterThan(0);
    expect(r.runs[0].testLoss).toBeLessThan(0.06);
    expect(n.mse.initial).toBeGreaterThan(0.1);
    expect(n.mse.trained).toBeLessThan(n.mse.initial / 3);
    expect(n.gradientEnergy.trained).toBeGreaterThan(n.gradientEnergy.initial);
    // Training-curve losses fall too.
    const loss = r.curves.ae.trainLoss as [number, number][];
    expect(loss[loss.length - 1][1]).toBeLessThan(loss[0][1]);
    expect(n.filters.shape).toEqual([5, 5, 1, 16]);
    expect(n.filters.values).toHaveLength(400);
    expect(n.reconstructions).toHaveLength(8);
    const first = n.reconstructions[0];
    expect(first.shape).toEqual([28, 28, 1]);
    expect(first.input).toHaveLength(784);
    expect(first.output).toHaveLength(784);
    const mse = first.input.reduce((a: number, v: number, i: number) => a + (v - first.output[i]) ** 2, 0) / 784;
    expect(mse).toBeLessThan(n.mse.initial / 3);
    expect(r.holds).toBe(true);
    expect(err.join('')).toMatch(/test accuracy — /);
  }, 60_000);
});
