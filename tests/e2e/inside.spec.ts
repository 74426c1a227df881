// Look inside a trained run through the UI: top patches (checked against the CLI on the same
// weights), filters, activation maps with the hovered unit's receptive field, saliency.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { templateById } from '../../renderer/src/core/graph/templates';
import { clipRect, receptiveFields, unitRect } from '../../renderer/src/core/viz/receptive';
import { EditorPage } from './pages/editor';

test.setTimeout(420_000);

interface Patch { image: number; x: number; y: number; width: number; height: number; activation: number }

/** Save PNG of the shown view: a real PNG download of every canvas the view shows (size as recorded, not blank). */
async function savedPng(page: Page, name: RegExp): Promise<PNG> {
  const canvases = await page.getByTestId('inside-content').locator('canvas').count();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('inside-save').click()]);
  expect(download.suggestedFilename()).toMatch(name);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const png = PNG.sync.read(bytes);
  expect(`${png.width}x${png.height}x${canvases}`).toBe(await page.getByTestId('inside-panel').getAttribute('data-saved'));
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) colours.add(png.data.readUInt32BE(i));
  expect(colours.size).toBeGreaterThan(8);
  return png;
}

/** Moves the mouse to the centre of unit (y, x) of a map tile of h × w units. */
async function hoverUnit(page: Page, testid: string, h: number, w: number, y: number, x: number): Promise<void> {
  await page.getByTestId(testid).scrollIntoViewIfNeeded();
  const box = (await page.getByTestId(testid).boundingBox())!;
  await page.mouse.move(box.x + ((x + 0.5) * box.width) / w, box.y + ((y + 0.5) * box.height) / h);
}

test('look inside a trained ConvNetJS net: patches equal the CLI\'s, filters, activation maps, saliency', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('convnetjs-mnist');
  // Long enough (a few seconds on wasm) for the filters of both convs to be sent while it trains:
  // they go one conv per second, and with 4,000 examples the run could end before the second one.
  await editor.setSetting('maxExamples', '16000');
  await editor.setSetting('maxTestExamples', '1000');
  await editor.setSetting('learningRate', '0.003');
  await page.getByTestId('train-backend').selectOption('wasm');
  const blockBefore = await page.getByTestId('block-conv2d_2').boundingBox();
  await editor.trainButton.click();
  // While it trains, every conv block shows its current filters (the trainer sends the convs in turn),
  // above the block: the block does not move or grow.
  for (const id of ['conv2d_1', 'conv2d_2']) await expect(page.getByTestId(`thumb-${id}`)).toBeVisible({ timeout: 120_000 });
  // (The view may pan when training starts: the block's size is what must not change.)
  const blockNow = (await page.getByTestId('block-conv2d_2').boundingBox())!;
  expect(blockNow.width).toBeCloseTo(blockBefore!.width, 1);
  expect(blockNow.height).toBeCloseTo(blockBefore!.height, 1);
  await expect(page.getByTestId('thumb-flatten_1')).toHaveCount(0);
  await expect.poll(async () => (await editor.run()).state, { timeout: 240_000 }).toBe('done');
  await expect(page.getByTestId('thumb-conv2d_1')).toHaveCount(0);
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
  const gridPng = await savedPng(page, /^netwright-patches-conv2d_1\.png$/);
  const grid = (await page.getByTestId('patch-grid').boundingBox())!;
  expect(gridPng.width).toBeGreaterThanOrEqual(Math.floor(grid.width));

  // Filters of every conv layer.
  await page.getByTestId('inside-view-filters').click();
  await page.getByTestId('inside-run').click();
  await expect(page.getByTestId('inside-filters')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('inside-kernel-conv2d_2-15')).toBeVisible();
  await savedPng(page, /^netwright-filters-.*\.png$/);

  // Activation maps of test image 0, every layer; hovering a unit draws its field on the input.
  await page.getByTestId('inside-view-activations').click();
  await page.getByTestId('inside-run').click();
  const maps = page.getByTestId('inside-activations');
  await expect(maps).toBeVisible({ timeout: 60_000 });
  expect(Number(await maps.getAttribute('data-layers'))).toBeGreaterThanOrEqual(4);
  // Hovering unit (y, x) of a map draws that unit's receptive field on the input: the same rectangle
  // as the field computed here from the same graph.
  const fields = receptiveFields(templateById('convnetjs-mnist')!.graph);
  for (const [layer, h, y, x] of [['conv2d_2', 12, 5, 7], ['maxpool2d_2', 4, 1, 2], ['conv2d_1', 24, 0, 23]] as const) {
    await hoverUnit(page, `inside-map-${layer}-0`, h, h, y, x);
    await expect(maps).toHaveAttribute('data-hover', `${layer}:${y},${x}`);
    const r = clipRect(unitRect(fields.get(layer)!, y, x), 24, 24);
    await expect(page.getByTestId('inside-input')).toHaveAttribute('data-rect', `${r.x},${r.y},${r.width},${r.height}`);
  }
  await page.mouse.move(0, 0);
  await expect(page.getByTestId('inside-input')).toHaveAttribute('data-rect', '');
  await savedPng(page, /^netwright-activations-test0\.png$/);
  await page.getByTestId('inside-next').click();
  await expect(page.getByTestId('inside-image')).toHaveText('test #1');

  // A drawn digit: its activation maps appear as it is drawn.
  await page.getByTestId('inside-draw').click();
  const pad = page.getByTestId('inside-pad').getByTestId('drawing-canvas');
  const p = (await pad.boundingBox())!;
  await page.mouse.move(p.x + p.width * 0.5, p.y + p.height * 0.2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(p.x + p.width * 0.5, p.y + p.height * (0.2 + 0.075 * i));
  await page.mouse.up();
  await expect(page.getByTestId('inside-image')).toHaveText('drawn image');
  await expect(page.getByTestId('inside-drawn-ms')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('inside-panel')).toHaveAttribute('data-busy', 'false');
  const drawnInput = await page.getByTestId('inside-input').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  expect(Number(await maps.getAttribute('data-layers'))).toBeGreaterThanOrEqual(4);
  await savedPng(page, /^netwright-activations-drawn\.png$/);
  // The stroke is a vertical bar: the model input the maps were made from is not the test image.
  await page.getByTestId('inside-prev').click();
  await expect(page.getByTestId('inside-image')).toHaveText('test #0');
  await expect(page.getByTestId('inside-panel')).toHaveAttribute('data-busy', 'false');
  expect(await page.getByTestId('inside-input').evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(drawnInput);

  // Saliency and occlusion of the prediction.
  await page.getByTestId('inside-view-saliency').click();
  await page.getByTestId('inside-run').click();
  await expect(page.getByTestId('inside-saliency')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: '/tmp/shot-inside-saliency.png' });
  await savedPng(page, /^netwright-saliency-test0\.png$/);
  // Saliency of a drawn image: drawing on the pad in this view runs the attribution job.
  const q = (await pad.boundingBox())!;
  await page.mouse.move(q.x + q.width * 0.3, q.y + q.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(q.x + q.width * 0.7, q.y + q.height * 0.5, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('inside-image')).toHaveText('drawn image');
  await expect(page.getByTestId('inside-panel')).toHaveAttribute('data-busy', 'false', { timeout: 60_000 });
  await expect(page.getByTestId('inside-saliency')).toBeVisible();
  await savedPng(page, /^netwright-saliency-drawn\.png$/);
});
