// Look inside a trained run through the UI: top patches (checked against the CLI on the same
// weights), filters, activation maps with the hovered unit's receptive field, saliency.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { EditorPage } from './pages/editor';

test.setTimeout(420_000);

interface Patch { image: number; x: number; y: number; width: number; height: number; activation: number }

test('look inside a trained ConvNetJS net: patches equal the CLI\'s, filters, activation maps, saliency', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('convnetjs-mnist');
  await editor.setSetting('maxExamples', '4000');
  await editor.setSetting('maxTestExamples', '1000');
  await editor.setSetting('learningRate', '0.003');
  await page.getByTestId('train-backend').selectOption('wasm');
  await editor.trainButton.click();
  await expect.poll(async () => (await editor.run()).state, { timeout: 240_000 }).toBe('done');
  await expect.poll(async () => (await editor.run()).hasWeights).toBe(true);

  await page.getByTestId('tab-inside').click();
  // Top-9 patches of conv2d_1 over the whole test set.
  await page.getByTestId('inside-view-patches').click();
  await page.getByTestId('inside-layer').selectOption('conv2d_1');
  await page.getByTestId('inside-run').click();
  const patches = page.getByTestId('inside-patches');
  await expect(patches).toHaveAttribute('data-layer', 'conv2d_1', { timeout: 120_000 });
  const ui = JSON.parse((await patches.getAttribute('data-listing'))!) as Patch[][];
  expect(ui).toHaveLength(8);
  expect(ui.every((f) => f.length === 9)).toBe(true);
  await page.screenshot({ path: '/tmp/shot-inside-patches.png' });

  // The same run as a trained project file, and the CLI's patches for it.
  const project = await page.evaluate(() => {
    const r = (window as unknown as { __netwright: { runs: { selected: Record<string, unknown> & { weights: { specs: unknown; data: ArrayBuffer } } } } }).__netwright.runs.selected;
    const bytes = new Uint8Array(r.weights.data);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    const run = { ...r, weights: { specs: r.weights.specs, data: btoa(bin) } };
    return JSON.stringify({ format: 'netwright-project', version: 2, graph: r.graph, trainConfig: r.config, runs: [run] });
  });
  const dir = mkdtempSync(join(tmpdir(), 'nw-inside-'));
  writeFileSync(join(dir, 'run.netwright.json'), project);
  const cli = spawnSync(process.execPath, ['cli/netwright.mjs', 'patches', join(dir, 'run.netwright.json'), '--layer', 'conv2d_1', '--top', '9', '--backend', 'wasm', '--out', join(dir, 'out')], {
    encoding: 'utf8', timeout: 240_000,
  });
  expect(cli.status, cli.stderr).toBe(0);
  const listing = JSON.parse(readFileSync(join(dir, 'out', 'patches-conv2d_1.json'), 'utf8')) as { filters: { patches: Patch[] }[] };
  expect(listing.filters).toHaveLength(8);
  for (let f = 0; f < 8; f++) {
    const a = ui[f];
    const b = listing.filters[f].patches;
    expect(a.map((p) => [p.image, p.x, p.y, p.width, p.height])).toEqual(b.map((p) => [p.image, p.x, p.y, p.width, p.height]));
    for (let i = 0; i < 9; i++) expect(a[i].activation).toBeCloseTo(b[i].activation, 3);
  }

  // Click a filter: its patches, their source images with the rectangle.
  await page.getByTestId('patch-grid').click({ position: { x: 10, y: 30 } });
  await expect(page.getByTestId('patch-detail')).toBeVisible();

  // Filters of every conv layer.
  await page.getByTestId('inside-view-filters').click();
  await page.getByTestId('inside-run').click();
  await expect(page.getByTestId('inside-filters')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('inside-kernel-conv2d_2-15')).toBeVisible();

  // Activation maps of test image 0, every layer; hovering a unit draws its field on the input.
  await page.getByTestId('inside-view-activations').click();
  await page.getByTestId('inside-run').click();
  const maps = page.getByTestId('inside-activations');
  await expect(maps).toBeVisible({ timeout: 60_000 });
  expect(Number(await maps.getAttribute('data-layers'))).toBeGreaterThanOrEqual(4);
  await page.getByTestId('inside-map-conv2d_2-0').hover();
  await page.getByTestId('inside-next').click();
  await expect(page.getByTestId('inside-image')).toHaveText('test #1');

  // Saliency and occlusion of the prediction.
  await page.getByTestId('inside-view-saliency').click();
  await page.getByTestId('inside-run').click();
  await expect(page.getByTestId('inside-saliency')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: '/tmp/shot-inside-saliency.png' });
});
