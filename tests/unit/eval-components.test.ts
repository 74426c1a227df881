// Server-side renders of the evaluation components (no DOM in these tests): the markup that
// Playwright and users rely on — test ids, counts, selection, the diagonal, probabilities.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import vue from '@vitejs/plugin-vue';
import { createSSRApp, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import type { EvaluationResult } from '@/core/train/protocol';

let server: ViteDevServer;
const load = async (name: string) => ((await server.ssrLoadModule(`/renderer/src/components/${name}.vue`)) as { default: Component }).default;
const render = async (name: string, props: Record<string, unknown>) => renderToString(createSSRApp(await load(name), props));

beforeAll(async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [vue()], server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', optimizeDeps: { noDiscovery: true } });
});
afterAll(async () => {
  await server?.close();
});

const confusion = [
  [5, 1, 0],
  [2, 7, 0],
  [0, 0, 0],
];
const names = ['zero', 'one', 'two'];

const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe('ConfusionMatrix', () => {
  it('renders one button per cell with its count, rows = true class, marking the diagonal and the selection', async () => {
    const html = await render('ConfusionMatrix', { confusion, classNames: names, selected: [1, 0] });
    expect(html).toContain('data-testid="confusion-matrix"');
    expect(count(html, /data-testid="confusion-cell-\d-\d"/g)).toBe(9);
    const cell = (t: number, p: number) => html.match(new RegExp(`<button[^>]*data-testid="confusion-cell-${t}-${p}"[^>]*>([^<]*)<`))!;
    expect(cell(1, 0)[0]).toContain('data-count="2"');
    expect(cell(1, 0)[1].trim()).toBe('2');
    expect(cell(0, 1)[0]).toContain('aria-label="true zero, predicted one: 1 (16.7% of zero)"');
    expect(cell(1, 1)[0]).toMatch(/class="[^"]*\bdiag\b/);
    expect(cell(1, 0)[0]).not.toMatch(/class="[^"]*\bdiag\b/);
    expect(cell(1, 0)[0]).toMatch(/selected/);
    expect(cell(1, 0)[0]).toContain('aria-pressed="true"');
    expect(cell(0, 1)[0]).toContain('aria-pressed="false"');
    expect(cell(0, 1)[0]).toContain('var(--error)');
    expect(cell(0, 0)[0]).toContain('var(--ok)');
    expect(cell(2, 2)[0]).not.toContain('background');
  });
});

describe('SampleGallery', () => {
  it('renders one tile per item with its caption', async () => {
    const item = (c: string) => ({ pixels: new Uint8Array(4), height: 2, width: 2, channels: 1, caption: c });
    const html = await render('SampleGallery', { items: [item('true 3 · predicted 5 · 97%'), item('b')] });
    expect(html).toContain('data-testid="sample-gallery"');
    expect(count(html, /data-testid="sample-tile"/g)).toBe(2);
    expect(html).toContain('true 3 · predicted 5 · 97%');
    expect(await render('SampleGallery', { items: [], emptyText: 'Nothing here' })).toContain('Nothing here');
  });
});

describe('DrawingPad', () => {
  it('has the canvas, Clear, a file input, and shows no bars before anything is drawn', async () => {
    const html = await render('DrawingPad', { probabilities: [0.1, 0.7, 0.2] });
    for (const id of ['drawing-pad', 'drawing-canvas', 'drawing-clear', 'drawing-file', 'predicted-class']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain('width="280"');
    // nothing drawn yet: stale probabilities are not shown
    expect(html).not.toContain('class-prob-');
  });
});

function evaluation(): EvaluationResult {
  return {
    loss: 0.4321,
    accuracy: 12 / 15,
    count: 15,
    classes: 3,
    indices: new Uint32Array(15),
    labels: new Int32Array(15),
    predicted: new Int32Array(15),
    confidence: new Float32Array(15),
    confusion,
  };
}

describe('EvaluationPanel', () => {
  it('before an evaluation: the Evaluate button and the drawing pad, no matrix', async () => {
    const html = await render('EvaluationPanel', { classNames: names, busy: false });
    expect(html).toContain('data-testid="evaluate-button"');
    expect(html).toContain('data-testid="drawing-pad"');
    expect(html).not.toContain('data-testid="confusion-matrix"');
    expect(html).not.toContain('data-testid="evaluate-cancel"');
  });

  it('while busy: progress and Cancel, Evaluate disabled', async () => {
    const html = await render('EvaluationPanel', { classNames: names, busy: true, progress: 0.25 });
    expect(html).toContain('data-testid="eval-progress"');
    expect(html).toContain('Evaluating: 25%');
    expect(html).toContain('data-testid="evaluate-cancel"');
    expect(html).toMatch(/<button[^>]*disabled[^>]*data-testid="evaluate-button"|<button[^>]*data-testid="evaluate-button"[^>]*disabled/);
  });

  it('after an evaluation: accuracy, loss, count, per-class table with null-safe cells, matrix and galleries', async () => {
    const item = { pixels: new Uint8Array(4), height: 2, width: 2, channels: 1, caption: 'true one · predicted zero · 90%' };
    const html = await render('EvaluationPanel', { evaluation: evaluation(), classNames: names, busy: false, misclassifiedItems: [item] });
    expect(html).toMatch(/data-testid="eval-accuracy"[^>]*>80\.0%</);
    expect(html).toMatch(/data-testid="eval-loss"[^>]*>0\.4321</);
    expect(html).toMatch(/data-testid="eval-count"[^>]*>15</);
    expect(html).toContain('data-testid="per-class-table"');
    // class one: precision 7/8, recall 7/9
    const row1 = html.match(/<tr data-testid="per-class-row-1"[^>]*>.*?<\/tr>/)![0];
    expect(row1).toMatch(/87\.5%.*77\.8%.*>9</); // precision, recall (F1), support in that order
    // class two neither occurs nor is predicted: dashes, not NaN
    const row2 = html.match(/<tr data-testid="per-class-row-2"[^>]*>.*?<\/tr>/)![0];
    expect(row2).toContain('—');
    expect(html).not.toContain('NaN');
    expect(html).toContain('data-testid="confusion-matrix"');
    expect(html).toMatch(/data-testid="misclassified-gallery".*true one · predicted zero · 90%/s);
  });
});
