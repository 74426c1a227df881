// Projects keep everything, through the UI of the web build: two short runs trained, the project
// saved (a download: the File System Access API is taken away, as in browsers without it), the page
// reloaded with its run history and autosave wiped, the file opened with the Open button, and the
// graph, both runs and their weights found intact: evaluating a run predicts exactly as before.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { EditorPage } from './pages/editor';

test.setTimeout(600_000);

/** What identifies the runs and their weights (all of them, as numbers). */
async function runsWithWeights(page: Page) {
  return page.evaluate(() =>
    (window.__netwright.runs.records as unknown as { id: string; name: string; state: string; epoch: number; weights?: { specs: unknown; data: ArrayBuffer } }[])
      .map((r) => ({ id: r.id, name: r.name, state: r.state, epoch: r.epoch, specs: r.weights?.specs, weights: r.weights ? Array.from(new Float32Array(r.weights.data)) : null })),
  );
}

async function graphOf(page: Page) {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__netwright.graph.graph)) as unknown);
}

/** Evaluates the shown run on a fixed sample of 1,000 test images; its predicted classes and loss. */
async function evaluateShownRun(page: Page): Promise<{ predicted: number[]; loss: number; accuracy: number }> {
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('evaluate-sample').selectOption('1000');
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-accuracy')).toContainText('%', { timeout: 180_000 });
  return page.evaluate(() => {
    const e = (window as unknown as { __netwright: { evaluation: { evaluation: { predicted: Int32Array; loss: number; accuracy: number } } } }).__netwright.evaluation.evaluation;
    return { predicted: Array.from(e.predicted), loss: e.loss, accuracy: e.accuracy };
  });
}

test('save a project with two runs, reload with an empty history, open it: graph, runs and weights intact', async ({ page }) => {
  // No File System Access API: Save downloads the file and Open uses <input type=file>.
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    delete w.showSaveFilePicker;
    delete w.showOpenFilePicker;
    delete w.showDirectoryPicker;
    // After the reload below: nothing of the run history or autosave survives. Deleting before the
    // app opens its databases is enough: IndexedDB runs an open after a pending delete of that name.
    if (sessionStorage.getItem('wipe') === '1') {
      sessionStorage.removeItem('wipe');
      indexedDB.deleteDatabase('netwright-runs');
      indexedDB.deleteDatabase('netwright');
    }
  });
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');
  await editor.setSetting('maxExamples', '400');
  await editor.setSetting('maxTestExamples', '500');
  await page.getByTestId('train-backend').selectOption('wasm');

  for (const rate of ['0.01', '0.003']) {
    await editor.setSetting('learningRate', rate);
    await editor.trainButton.click();
    await expect.poll(async () => (await editor.run()).state, { timeout: 240_000, intervals: [1000] }).toBe('done');
    await expect.poll(async () => (await editor.run()).hasWeights).toBe(true);
  }
  const runsBefore = await runsWithWeights(page);
  expect(runsBefore).toHaveLength(2);
  expect(runsBefore.every((r) => r.weights && r.weights.length === 7850)).toBe(true);
  const graphBefore = await graphOf(page);
  const shownId = (await editor.run()).id;
  const evalBefore = await evaluateShownRun(page);

  // Unsaved: the toolbar's dot and the window title say so; Save clears both.
  await expect(page).toHaveTitle(/^• .* — Netwright$/);
  const downloading = page.waitForEvent('download');
  await page.getByTestId('save-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.netwright\.json$/);
  // Under the name the browser gave it (Playwright keeps downloads under a random name).
  const file = join(mkdtempSync(join(tmpdir(), 'netwright-project-')), download.suggestedFilename());
  copyFileSync(await download.path(), file);
  await expect(page).toHaveTitle(/^Logistic regression — Netwright$/);
  // Compact: two runs of 7,850 float32 weights, base64 is 4/3 of their bytes, plus curves and graphs.
  const size = readFileSync(file).length;
  expect(size).toBeGreaterThan(2 * 31_400 * (4 / 3));
  expect(size).toBeLessThan(2 * 31_400 * (4 / 3) + 40_000);

  // Reload with the history and autosave wiped: nothing comes back by itself.
  await page.evaluate(() => sessionStorage.setItem('wipe', '1'));
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  expect(await runsWithWeights(page)).toEqual([]);
  await expect(editor.welcome).toBeVisible();

  // Open the saved file through the Open button.
  const choosing = page.waitForEvent('filechooser');
  await page.getByTestId('open-button').click();
  await (await choosing).setFiles(file);
  await expect(page.getByTestId('toast').filter({ hasText: 'Opened' })).toBeVisible();
  expect(await graphOf(page)).toEqual(graphBefore);
  expect(await runsWithWeights(page)).toEqual(runsBefore);
  await expect(page).toHaveTitle(/^Logistic regression — Netwright$/);

  // The same run evaluated again: the same predictions, bit for bit.
  await page.evaluate((id) => (window.__netwright.runs as unknown as { select(id: string): void }).select(id), shownId as string);
  const evalAfter = await evaluateShownRun(page);
  expect(evalAfter.predicted).toEqual(evalBefore.predicted);
  expect(evalAfter.loss).toBe(evalBefore.loss);
  expect(evalAfter.accuracy).toBeGreaterThan(0.5);
});
