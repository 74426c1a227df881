// Runs as records, through the UI: two runs with different settings overlaid, pause and resume,
// a reload mid-run resumed from its checkpoint, a stale-run warning, and the evaluation views.
import { expect, test, type Page } from '@playwright/test';
import { EditorPage } from './pages/editor';

test.setTimeout(600_000);

const finished = (editor: EditorPage) =>
  expect.poll(async () => (await editor.run()).state, { timeout: 300_000, intervals: [1000] });

async function quickSettings(editor: EditorPage, page: Page, examples: string, epochs: string): Promise<void> {
  await editor.setSetting('maxExamples', examples);
  await editor.setSetting('maxTestExamples', '1000');
  await editor.setSetting('epochs', epochs);
  // WebGL is the fastest backend on this machine's software GPU.
  await page.getByTestId('train-backend').selectOption('webgl');
}

test('two runs overlaid, pause/resume, reload mid-run and resume from the checkpoint, evaluation', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');
  await quickSettings(editor, page, '3000', '1');

  // Run 1: Adam at 0.001.
  await editor.trainButton.click();
  await finished(editor).toBe('done');
  const first = await editor.run();
  expect(first.testAccuracy).toBeGreaterThan(0.7);
  await expect.poll(async () => (await editor.run()).hasWeights).toBe(true);

  // Run 2: plain SGD, paused mid-run and resumed.
  await page.getByTestId('train-optimizer').selectOption('sgd');
  await editor.setSetting('learningRate', '0.05');
  await editor.setSetting('maxExamples', '20000');
  await editor.trainButton.click();
  await expect.poll(async () => (await editor.run()).trainLoss.length, { timeout: 120_000 }).toBeGreaterThan(1);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('resume-button')).toBeVisible({ timeout: 30_000 });
  const atPause = await editor.run();
  expect(atPause.state).toBe('paused');
  await page.waitForTimeout(1500);
  expect((await editor.run()).trainLoss.length).toBe(atPause.trainLoss.length); // nothing trains while paused
  await page.getByTestId('resume-button').click();
  await finished(editor).toBe('done');
  const second = await editor.run();
  expect(second.id).not.toBe(first.id);
  expect(second.trainLoss.length).toBeGreaterThan(atPause.trainLoss.length);
  expect(second.trainLoss.at(-1)![0]).toBe(20000); // every example of the epoch, none twice

  // Both runs in the history; overlay them.
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  for (const box of await page.getByTestId('run-overlay').all()) await box.check();
  await expect(page.getByTestId('run-compare-chart')).toHaveAttribute('data-series-count', '2');
  await expect(page.getByTestId('runs-diff')).toContainText(/optimizer/i);
  await page.getByTestId('runs-tab-tradeoff').click();
  await expect(page.getByTestId('tradeoff-chart')).toHaveAttribute('data-point-count', '2');
  await page.screenshot({ path: '/tmp/shot-runs.png' });

  // The canvas changes: the shown run says it was made with an earlier network, and can bring it back.
  await page.getByTestId('tab-curves').click();
  await editor.block('classifier_1').click();
  await editor.setParam('classes', '12');
  await expect(page.getByTestId('stale-banner')).toBeVisible();
  await page.getByTestId('open-run-network').click();
  await expect(page.getByTestId('stale-banner')).toBeHidden();

  // Evaluation of the shown run: confusion matrix, a cell's images, the drawing pad.
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-accuracy')).toContainText('%', { timeout: 120_000 });
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  const cell = page.getByTestId('confusion-cell-3-3');
  expect(Number(await cell.getAttribute('data-count'))).toBeGreaterThan(50);
  await cell.click();
  await expect(page.getByTestId('cell-gallery').getByTestId('sample-tile').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('misclassified-gallery').getByTestId('sample-tile').first()).toBeVisible();
  // Draw a "1": a vertical stroke.
  await page.getByTestId('drawing-canvas').scrollIntoViewIfNeeded();
  const pad = await page.getByTestId('drawing-canvas').boundingBox();
  if (!pad) throw new Error('no drawing pad');
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.52, pad.y + pad.height * 0.85, { steps: 20 });
  await page.mouse.up();
  await expect(page.getByTestId('predicted-class')).toHaveAttribute('data-class', '1', { timeout: 30_000 });
  await page.screenshot({ path: '/tmp/shot-evaluate.png' });

  // Run 3: two epochs; reload the page after the first epoch's checkpoint, then resume from it.
  await page.getByTestId('tab-curves').click();
  await page.getByTestId('train-optimizer').selectOption('adam');
  await editor.setSetting('learningRate', '0.001');
  await editor.setSetting('maxExamples', '6000');
  await editor.setSetting('epochs', '3');
  await editor.trainButton.click();
  await expect.poll(async () => (await editor.run()).epoch, { timeout: 240_000 }).toBeGreaterThanOrEqual(1);
  const before = await editor.run();
  await page.reload();
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('interrupted-banner')).toBeVisible({ timeout: 30_000 });
  const interrupted = await editor.run();
  expect(interrupted.id).toBe(before.id);
  expect(interrupted.state).toBe('interrupted');
  await page.getByTestId('resume-checkpoint').click();
  await finished(editor).toBe('done');
  const resumed = await editor.run();
  expect(resumed.id).toBe(before.id);
  expect(resumed.epoch).toBe(3);
  // The curve continues the one from before the reload (same first points), and goes on to the end.
  expect(resumed.trainLoss.slice(0, 3)).toEqual(before.trainLoss.slice(0, 3));
  expect(resumed.trainLoss.at(-1)![0]).toBe(18000);
  expect(resumed.testAccuracy).toBeGreaterThan(0.8);
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
});
