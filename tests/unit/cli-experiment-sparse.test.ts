// netwright experiment 10 (sparse-connections) on a small MNIST subset (wasm, in process): the
// two-tower net (groups = 2) has fewer parameters and multiply-adds than the dense net of the same
// widths, and about the same accuracy.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import type { Io } from '../../cli/io';

async function experiment(id: string, ...flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-lab-'));
  const report = join(dir, `${id}.json`);
  const err: string[] = [];
  const io: Io = { stdout: { write: () => {} }, stderr: { write: (s) => void err.push(s) }, cwd: dir, env: {} };
  const code = await main(['experiment', id, '--backend', 'wasm', '--report', report, ...flags], io);
  expect(code, err.join('')).toBe(0);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { json: JSON.parse(readFileSync(report, 'utf8')) as any, stderr: err.join('') };
}

describe('netwright experiment sparse-connections', () => {
  it('10: groups = 2 halves the grouped layers’ parameters and multiply-adds, accuracy within a few points', async () => {
    const { json: r, stderr } = await experiment('sparse-connections', '--limit', '2000', '--test-limit', '1000');
    expect(r.runs.map((x: { key: string }) => x.key)).toEqual(['dense', 'grouped']);
    const { dense, grouped } = r.verdict.numbers;
    // The report's per-run metrics (from the run records) agree with the verdict's numbers.
    expect(r.runs[0].params).toBe(dense.params);
    expect(r.runs[1].params).toBe(grouped.params);
    expect(r.runs[1].multiplyAdds).toBe(grouped.multiplyAdds);
    expect(grouped.params).toBeLessThan(dense.params * 0.75);
    expect(grouped.multiplyAdds).toBeLessThan(dense.multiplyAdds * 0.75);
    expect(dense.accuracy).toBeGreaterThan(0.8);
    expect(grouped.accuracy).toBeGreaterThan(dense.accuracy - 0.04);
    expect(r.holds).toBe(true);
    expect(stderr).toMatch(/^Holds: Two towers use/m);
  }, 60_000);
});
