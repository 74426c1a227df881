import { expect, test } from '@playwright/test';
import { EditorPage } from './pages/editor';

// Software WebGL/WebGPU here: a few thousand examples take about a minute including shader compilation.
test.setTimeout(420_000);

test('train the ConvNetJS MNIST template on wasm (threaded build): live curves, test accuracy, backend, filters', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('convnetjs-mnist');
  await editor.setSetting('maxExamples', '10000');
  await editor.setSetting('maxTestExamples', '1000');
  await editor.setSetting('epochs', '1');
  await editor.setSetting('learningRate', '0.002');
  // The CPU path: wasm with our gradient kernels, the threaded build (the page is cross-origin isolated).
  await page.getByTestId('train-backend').selectOption('wasm');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The Filters tab is open while the run goes (wasm trains these 4,000 examples in seconds), so its
  // tiles are drawn from the first kernels and redrawn as the kernels arrive.
  await page.getByTestId('tab-filters').click();
  await editor.trainButton.click();
  await expect(page.getByTestId('stop-button')).toBeVisible();
  await expect(editor.filtersPanel).toHaveAttribute('data-tiles', '8', { timeout: 120_000 });
  const tile = page.getByTestId('filter-tile-0');
  await expect(tile).toHaveAttribute('data-drawn', /\d+/, { timeout: 60_000 });
  const first = Number(await tile.getAttribute('data-drawn'));
  await expect.poll(async () => (await editor.run()).status, { timeout: 360_000, intervals: [500] }).toMatch(/done|error/);
  // Redrawn after the first kernels: at the latest by the run's final filters.
  expect(Number(await tile.getAttribute('data-drawn'))).toBeGreaterThan(first);
  const pixels = await tile.evaluate((c: HTMLCanvasElement) => {
    const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
    const values = new Set<number>();
    for (let i = 0; i < d.length; i += 4) values.add(d[i]);
    return { distinct: values.size, width: c.width };
  });
  expect(pixels.width).toBeGreaterThanOrEqual(25);
  expect(pixels.distinct).toBeGreaterThan(3);
  await expect(editor.backendBadge).not.toHaveAttribute('data-backend', '');
  // The loss chart (mounted under Curves) received points while the run went.
  expect(Number(await editor.lossChart.getAttribute('data-points'))).toBeGreaterThan(2);
  await page.screenshot({ path: '/tmp/shot-filters.png' });
  await page.getByTestId('tab-curves').click();

  await expect.poll(async () => (await editor.run()).status, { timeout: 360_000, intervals: [2000] }).toMatch(/done|error/);
  const run = await editor.run();
  expect(run.error).toBeNull();
  expect(run.status).toBe('done');

  // The loss falls: the last quarter of the curve averages well below the first point.
  const losses = run.trainLoss.map((p) => p[1]);
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 4)));
  expect(tail.reduce((a, b) => a + b, 0) / tail.length).toBeLessThan(losses[0] * 0.6);
  expect(run.valAcc.length).toBeGreaterThan(0);

  console.log(`ConvNetJS template, 10000 examples on ${run.backend}: test accuracy ${run.testAccuracy}`);
  expect(run.testAccuracy).toBeGreaterThan(0.8);
  await expect(editor.testAccuracy).toContainText('%');
  expect(Number(await editor.testAccuracy.getAttribute('data-value'))).toBeGreaterThan(0.8);
  // The badge names the backend and its thread count (tfjs caps threads at half the cores: 1 here).
  await expect(editor.backendBadge).toHaveText(/WASM · \d+ threads?/);

  await page.screenshot({ path: '/tmp/shot-trained.png' });
});

test('Stop ends a run early and the editor stays usable while training', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');
  await page.getByTestId('train-backend').selectOption('webgl');
  await editor.setSetting('epochs', '5');
  await editor.trainButton.click();
  await expect.poll(async () => Number(await editor.lossChart.getAttribute('data-points')), { timeout: 240_000 }).toBeGreaterThan(0);

  // The UI thread is free: editing the graph works mid-run.
  await editor.block('flatten_1').click();
  await expect(page.getByTestId('block-inspector')).toHaveAttribute('data-block', 'flatten_1');

  await page.getByTestId('stop-button').click();
  // A real stop comes from the worker within a batch or two: well before the 15 s after which an
  // unanswered Stop kills the worker (which would say "the worker did not answer").
  await expect.poll(async () => (await editor.run()).status, { timeout: 8_000 }).toBe('stopped');
  await expect(page.getByTestId('train-status')).toHaveText('Stopped');
  const run = await editor.run();
  expect(run.state).toBe('stopped');
  expect(run.testAccuracy).toBeNull(); // a stopped run skips its test pass
  await expect(editor.trainButton).toBeEnabled();
});
