// Server-side render of the Export dialog: the four formats with their descriptions, and Export
// disabled for a run without weights.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { createPinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { createSSRApp, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';

let server: ViteDevServer;
beforeAll(async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [vue()], server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', optimizeDeps: { noDiscovery: true } });
});
afterAll(async () => {
  await server?.close();
});

async function render(props: Record<string, unknown>): Promise<string> {
  const dialog = ((await server.ssrLoadModule('/renderer/src/components/ExportDialog.vue')) as { default: Component }).default;
  const app = createSSRApp(dialog, props);
  app.use(createPinia());
  return renderToString(app);
}

const graph = instantiate(templateById('logistic-regression')!);
const run = (weights: boolean): RunRecord => ({
  id: 'r', name: 'Logistic, 1 epoch', createdAt: 0, graph, config: DEFAULT_TRAIN_CONFIG, dataset: { kind: 'mnist' }, state: 'done', epoch: 1,
  curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] },
  ...(weights ? { weights: { specs: [{ name: 'classifier_1/kernel', shape: [784, 10] }, { name: 'classifier_1/bias', shape: [10] }], data: new ArrayBuffer(7850 * 4) } } : {}),
});

describe('ExportDialog', () => {
  it('offers TF.js, ONNX, PyTorch and a model card for a trained run', async () => {
    const html = await render({ run: run(true) });
    expect(html).toContain('data-testid="export-dialog"');
    expect(html).toContain('Export “Logistic, 1 epoch”');
    for (const f of ['tfjs', 'onnx', 'pytorch', 'card']) expect(html).toContain(`data-testid="export-format-${f}"`);
    expect(html).toContain('model.onnx (opset 13)');
    expect(html).toMatch(/<button[^>]*type="submit"[^>]*data-testid="export-ok"[^>]*>Export</);
    expect(html).not.toMatch(/<button[^>]*disabled[^>]*data-testid="export-ok"/);
  });

  it('cannot export a run without weights', async () => {
    const html = await render({ run: run(false) });
    expect(html).toContain('This run has no weights to export yet.');
    expect(html).toMatch(/<button[^>]*disabled[^>]*data-testid="export-ok"/);
  });
});
