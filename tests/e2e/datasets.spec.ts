// Your own data through the UI: a generated image folder (colour, mixed sizes, one broken file)
// and a CSV of shifted bars are imported with the file inputs, previewed (samples per class,
// stats, skipped files), the network is fitted to each with one click, and each trains well above
// chance (1/3 and 1/4) on WebGL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { barRows, shapeFolder, writeTree } from '../unit/helpers/data-fixtures';
import { EditorPage } from './pages/editor';

test.setTimeout(600_000);

// Ends on any final state, so a failed run fails the test at once (with its error) instead of timing out.
const finished = (editor: EditorPage) =>
  expect.poll(async () => (await editor.run()).state, { timeout: 300_000, intervals: [1000] }).toMatch(/^(done|error|stopped)$/);

function fixtures(): { folder: string; csv: string } {
  const root = mkdtempSync(join(tmpdir(), 'nw-e2e-data-'));
  const folder = join(root, 'shapes');
  const files = shapeFolder(40, 5);
  files.set('green/broken.png', files.get('green/0.png')!.slice(0, 50));
  writeTree(folder, files);
  const { x, y } = barRows(240, 4, 8, 4);
  const lines = [`label,${Array.from({ length: 64 }, (_, i) => `p${i}`).join(',')}`];
  y.forEach((k, i) => lines.push(`${'abcd'[k]},${Array.from(x.subarray(i * 64, (i + 1) * 64)).join(',')}`));
  const csv = join(root, 'bars.csv');
  writeFileSync(csv, lines.join('\n'));
  return { folder, csv };
}

async function fitAndTrain(editor: EditorPage, page: Page): Promise<number> {
  await expect(page.getByTestId('dataset-fit')).toBeVisible();
  await page.getByTestId('dataset-fix-all').click();
  await expect(page.getByTestId('dataset-fit')).toHaveCount(0);
  await editor.trainButton.click();
  await finished(editor);
  const run = await editor.run();
  expect(run.error).toBeNull();
  expect(run.state).toBe('done');
  return run.testAccuracy ?? 0;
}

test('imports an image folder and a CSV, previews them, trains on each well above chance', async ({ page }) => {
  const { folder, csv } = fixtures();
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');
  await editor.setSetting('epochs', '10');
  await editor.setSetting('learningRate', '0.01');
  await page.getByTestId('train-backend').selectOption('webgl');

  // The folder: colour, 16×16 and 20×18 PNGs and JPEGs, one truncated PNG.
  await page.getByTestId('dataset-folder-input').setInputFiles(folder);
  const dialog = page.getByTestId('dataset-dialog');
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('dataset-classes')).toHaveText('3 classes');
  await expect(page.getByTestId('dataset-shape')).toContainText('16×16×3');
  await expect(page.getByTestId('dataset-split')).toContainText('train 96 · test 24');
  await expect(page.getByTestId('dataset-skipped')).toContainText('green/broken.png');
  for (const k of [0, 1, 2]) await expect(page.getByTestId(`dataset-class-${k}`).locator('canvas')).toHaveCount(8);
  // The red class's first sample is mostly red where it is bright.
  const red = await page.getByTestId('dataset-class-2').locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let r = 0, b = 0;
    for (let i = 0; i < d.length; i += 4) { r += d[i]; b += d[i + 2]; }
    return { r, b, w: c.width };
  });
  expect(red.w).toBe(16);
  expect(red.r).toBeGreaterThan(1.5 * red.b);
  await page.screenshot({ path: '/tmp/shot-dataset-preview.png' });
  await page.getByTestId('dataset-dialog-close').click();
  await expect(page.getByTestId('dataset-select')).toHaveValue(/^data_/);
  expect(await fitAndTrain(editor, page)).toBeGreaterThan(0.8);

  // The CSV: 64 pixel columns → 8×8×1, string labels in a column named label.
  await page.getByTestId('dataset-files-input').setInputFiles(csv);
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('dataset-classes')).toHaveText('4 classes');
  await expect(page.getByTestId('dataset-shape')).toContainText('8×8×1');
  await expect(page.getByTestId('dataset-split')).toContainText('train 192 · test 48');
  await page.getByTestId('dataset-dialog-close').click();
  expect(await fitAndTrain(editor, page)).toBeGreaterThan(0.7);

  // A file dropped on the window imports too (here a small TSV made in the page).
  await page.evaluate(() => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 3}\t${(i * 7) % 5}\t${i % 2 ? 'yes' : 'no'}`);
    const dt = new DataTransfer();
    dt.items.add(new File([`f1\tf2\ttarget\n${rows.join('\n')}`], 'dropped.tsv'));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await expect(dialog).toContainText('dropped.tsv');
  await expect(page.getByTestId('dataset-classes')).toHaveText('2 classes');
});

test('an imported folder is stored on disk: it comes back after a reload and trains streamed from there', async ({ page }) => {
  const { folder } = fixtures();
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');
  await editor.setSetting('epochs', '10');
  await editor.setSetting('learningRate', '0.01');

  await page.getByTestId('dataset-folder-input').setInputFiles(folder);
  await expect(page.getByTestId('dataset-dialog')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('dataset-storage')).toContainText('stored on disk');
  const id = await page.getByTestId('dataset-select').inputValue();
  // The decoded examples are in OPFS: 120 examples of 16×16×3 bytes, and the description beside them.
  const stored = await page.evaluate(async (id) => {
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('datasets')).getDirectoryHandle(id);
    const bytes = (await (await dir.getFileHandle('examples.bin')).getFile()).size;
    const meta = JSON.parse(await (await (await dir.getFileHandle('dataset.json')).getFile()).text()) as { stored: number };
    return { bytes, count: meta.stored };
  }, id);
  expect(stored).toEqual({ bytes: 120 * 16 * 16 * 3, count: 120 });
  await page.getByTestId('dataset-dialog-close').click();
  await page.getByTestId('dataset-fix-all').click();
  await expect.poll(() => editor.autosaved(), { timeout: 10_000 }).toBe(true);

  // A reload: the dataset is back at once (no import), and training streams it from OPFS.
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('dataset-select').locator(`option[value="${id}"]`)).toHaveCount(1, { timeout: 15_000 });
  await page.getByTestId('dataset-select').selectOption(id);
  await expect(page.getByTestId('dataset-fit')).toHaveCount(0);
  await page.getByTestId('train-backend').selectOption('wasm');
  await editor.trainButton.click();
  await finished(editor);
  const run = await editor.run();
  expect(run.error).toBeNull();
  expect(run.testAccuracy ?? 0).toBeGreaterThan(0.8);

  // Another import becomes current; the folder stays on offer and switches back without an import.
  await page.getByTestId('dataset-files-input').setInputFiles(fixtures().csv);
  await expect(page.getByTestId('dataset-dialog')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('dataset-dialog-close').click();
  await expect(page.getByTestId('dataset-fit')).toBeVisible();
  await page.getByTestId('dataset-select').selectOption(id);
  await expect(page.getByTestId('dataset-line')).toContainText('16×16×3');
  await expect(page.getByTestId('dataset-fit')).toHaveCount(0);
});
