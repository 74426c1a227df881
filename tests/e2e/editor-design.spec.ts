// Issue 11: the editor, driven with the mouse and keyboard in Chromium. State is read through the
// test handle only to check results; every change goes through the UI.
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { EditorPage } from './pages/editor';

const noOverlap = async (editor: EditorPage, ids: string[]) => {
  const boxes = await Promise.all(ids.map((id) => editor.boxOf(id)));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i];
    const b = boxes[j];
    const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
    expect(apart, `${ids[i]} overlaps ${ids[j]}`).toBe(true);
  }
};

async function fresh(page: Page, template?: string): Promise<EditorPage> {
  const editor = new EditorPage(page);
  await editor.goto();
  if (template) await editor.loadTemplateFromMenu(template);
  return editor;
}

test.describe('editor: fixes', () => {
  test('palette click inserts into the chain without overlaps, one undo step; free spot with nothing selected', async ({ page }) => {
    const editor = await fresh(page, 'logistic-regression');
    await editor.block('flatten_1').click();
    await editor.paletteItem('Dense').click();
    await expect(editor.block('dense_1')).toBeVisible();
    expect((await editor.edges()).sort()).toEqual(['dense_1>classifier_1', 'flatten_1>dense_1', 'input_1>flatten_1']);
    await expect(editor.health).toHaveText('Ready');
    await noOverlap(editor, ['input_1', 'flatten_1', 'dense_1', 'classifier_1']);
    await page.keyboard.press('Control+z');
    await expect(editor.block('dense_1')).toHaveCount(0);
    expect((await editor.edges()).sort()).toEqual(['flatten_1>classifier_1', 'input_1>flatten_1']);
    // Nothing selected: two clicks give two blocks that do not overlap anything.
    await page.keyboard.press('Escape');
    await editor.paletteItem('Dropout').click();
    await page.keyboard.press('Escape');
    await editor.paletteItem('Dropout').click();
    await noOverlap(editor, ['input_1', 'flatten_1', 'classifier_1', 'dropout_1', 'dropout_2']);
  });

  test('header counts only blocks reaching the output; the issues badge counts warnings and goes to them', async ({ page }) => {
    const editor = await fresh(page, 'logistic-regression');
    await expect(editor.totalParams).toHaveAttribute('data-count', '7850');
    // A dead-end Dense branch (128 units) off Flatten: it has parameters but never reaches the classifier.
    await editor.dragToCanvas('Dense', { x: 500, y: 420 });
    await editor.connect('flatten_1', 'dense_1');
    await expect(editor.block('dense_1')).toHaveAttribute('data-params', String(784 * 128 + 128));
    await expect(editor.totalParams).toHaveAttribute('data-count', '7850');
    await expect(editor.health).toHaveText('1 warning');
    await editor.clickEmptyCanvas();
    await editor.health.click();
    await expect(editor.health).toHaveAttribute('data-shown', 'dense_1');
    expect(await editor.selectedIds()).toEqual(['dense_1']);
    await expect(page.getByTestId('inspector-issue')).toContainText('not used');
  });

  test('toasts stay off the canvas; long names are ellipsised with a title; a vector Input says it cannot train', async ({ page }) => {
    const editor = await fresh(page, 'logistic-regression');
    await editor.connect('classifier_1', 'flatten_1'); // refused → a toast
    await expect(editor.toast).toBeVisible();
    const toast = (await editor.toast.boundingBox())!;
    const canvas = (await editor.canvas.boundingBox())!;
    expect(toast.x).toBeGreaterThanOrEqual(canvas.x + canvas.width - 1);

    await editor.block('flatten_1').click();
    const long = 'A very long label that would never fit on a block';
    await page.getByTestId('param-label').fill(long);
    await page.getByTestId('param-label').press('Enter');
    const title = editor.block('flatten_1').locator('.title');
    await expect(title).toHaveAttribute('title', long);
    expect(await title.evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
    expect(await title.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

    await editor.block('input_1').click();
    await page.getByTestId('param-kind').selectOption('vector');
    await expect(page.getByTestId('error-input_1')).toContainText('cannot be trained');
    await expect(editor.trainButton).toBeDisabled();
  });

  test('the project name survives a reload and undo after a template brings the old name back', async ({ page }) => {
    const editor = await fresh(page, 'lenet-5');
    const name = page.locator('.project');
    await expect(name).toContainText('LeNet-5');
    await editor.loadTemplateFromMenu('convnetjs-mnist');
    await expect(name).toContainText('ConvNetJS MNIST');
    await editor.clickEmptyCanvas();
    await page.keyboard.press('Control+z');
    await expect(name).toContainText('LeNet-5');
    await expect.poll(() => editor.autosaved()).toBe(true);
    await page.reload();
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await expect(name).toContainText('LeNet-5');
  });
});

test.describe('editor: editing', () => {
  test('multi-select (shift-click, box, Ctrl+A), copy/paste/duplicate with connections, cut, arrow nudge', async ({ page }) => {
    const editor = await fresh(page, 'convnetjs-mnist');
    await editor.block('conv2d_1').click();
    await editor.block('maxpool2d_1').click({ modifiers: ['Shift'] });
    expect((await editor.selectedIds()).sort()).toEqual(['conv2d_1', 'maxpool2d_1']);
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect(editor.block('conv2d_3')).toBeVisible();
    await expect(editor.block('maxpool2d_3')).toBeVisible();
    expect(await editor.edges()).toContain('conv2d_3>maxpool2d_3');
    expect((await editor.selectedIds()).sort()).toEqual(['conv2d_3', 'maxpool2d_3']);
    await page.keyboard.press('Control+d');
    await expect(editor.block('maxpool2d_4')).toBeVisible();
    expect(await editor.edges()).toContain('conv2d_4>maxpool2d_4');
    // Nudge the duplicate right by 4 grid steps.
    const before = await editor.boxOf('conv2d_4');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Math.round((await editor.boxOf('conv2d_4')).x - before.x)).toBeGreaterThan(30);
    await page.keyboard.press('Control+x');
    await expect(editor.block('conv2d_4')).toHaveCount(0);
    // Ctrl+A selects every block, not the page text.
    await editor.clickEmptyCanvas();
    await page.keyboard.press('Control+a');
    expect((await editor.selectedIds()).length).toBe((await editor.blockIds()).length);
    expect(await page.evaluate(() => String(window.getSelection()))).toBe('');
    // Box selection with Shift-drag around the first two blocks.
    await editor.clickEmptyCanvas();
    const a = await editor.boxOf('input_1');
    const b = await editor.boxOf('conv2d_1');
    const c = (await editor.canvas.boundingBox())!;
    await editor.boxSelect({ x: a.x - c.x - 12, y: Math.min(a.y, b.y) - c.y - 12 }, { x: b.x + b.width - c.x + 8, y: Math.max(a.y + a.height, b.y + b.height) - c.y + 8 });
    expect((await editor.selectedIds()).sort()).toEqual(['conv2d_1', 'input_1']);
  });

  test('right-click menus on canvas, block and connection; searchable palette; drop on a connection; shapes on connections; port tooltips', async ({ page }) => {
    const editor = await fresh(page, 'logistic-regression');
    // Every connection is labelled with the shape it carries.
    await expect(editor.edgeLabels().filter({ hasText: '28×28×1' })).toHaveCount(1);
    await expect(editor.edgeLabels().filter({ hasText: /^784$/ })).toHaveCount(1);
    await expect(page.getByTestId('port-in-classifier_1')).toHaveAttribute('title', /vector/);

    await editor.rightClickBlock('flatten_1');
    await editor.menuItem('duplicate').click();
    await expect(editor.block('flatten_2')).toBeVisible();
    await editor.rightClickEdge('input_1', 'flatten_1');
    await editor.menuItem('delete-edge').click();
    expect(await editor.edges()).not.toContain('input_1>flatten_1');
    await page.keyboard.press('Control+z');
    expect(await editor.edges()).toContain('input_1>flatten_1');
    await editor.clickEmptyCanvas();
    await editor.canvas.click({ button: 'right', position: { x: 600, y: 300 } });
    await expect(editor.menuItem('layout')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(editor.menu).toHaveCount(0);

    // Search the palette: "pool" leaves the pooling blocks only.
    await page.getByTestId('palette-search').fill('pool');
    await expect(editor.paletteItem('MaxPool2D')).toBeVisible();
    await expect(editor.paletteItem('Conv2D')).toHaveCount(0);
    await page.getByTestId('palette-search').fill('');

    // Drop a Dropout onto flatten_1 → classifier_1: it is spliced in.
    await editor.dragOntoEdge('Dropout', 'flatten_1', 'classifier_1');
    await expect(editor.block('dropout_1')).toBeVisible();
    expect(await editor.edges()).toEqual(expect.arrayContaining(['flatten_1>dropout_1', 'dropout_1>classifier_1']));
    expect(await editor.edges()).not.toContain('flatten_1>classifier_1');
  });

  test('units: make from a selection with a repeat, shapes follow, collapse, expand, ungroup', async ({ page }) => {
    const editor = await fresh(page, 'convnetjs-mnist');
    await editor.block('conv2d_1').click();
    await editor.block('maxpool2d_1').click({ modifiers: ['Shift'] });
    await editor.rightClickBlock('conv2d_1');
    await editor.menuItem('make-unit').click();
    await page.getByTestId('unit-name').fill('Stage');
    await page.getByTestId('unit-repeat').fill('2');
    await page.getByTestId('unit-ok').click();
    await expect(page.getByTestId('unit-tag-conv2d_1')).toContainText('Stage ×2');
    // 24 → 12 → 6 after the repeat: conv2d_2 now sees 6×6×8.
    await expect(editor.block('conv2d_2')).toHaveAttribute('data-shape', '6x6x16');
    await editor.rightClickBlock('conv2d_1');
    await editor.menuItem('toggle-unit').click();
    await expect(page.getByTestId('unit-unit_1')).toBeVisible();
    await expect(page.getByTestId('unit-unit_1')).toHaveAttribute('data-shape', '6x6x8');
    await expect(editor.block('conv2d_1')).toBeHidden();
    await page.getByTestId('unit-expand-unit_1').click();
    await expect(editor.block('conv2d_1')).toBeVisible();
    await editor.rightClickBlock('conv2d_1');
    await editor.menuItem('ungroup').click();
    await expect(page.getByTestId('unit-tag-conv2d_1')).toHaveCount(0);
    await expect(editor.block('conv2d_2')).toHaveAttribute('data-shape', '12x12x16');
  });

  test('auto-layout, zoom to fit, minimap, snap, theme toggle, shortcut sheet', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const editor = await fresh(page, 'small-resnet');
    await expect(page.locator('.vue-flow__minimap')).toBeVisible();
    // Pile two blocks up by dragging, then lay out: nothing overlaps and everything is in view.
    await editor.tool('layout').click();
    const ids = await editor.blockIds();
    await noOverlap(editor, ids);
    await editor.tool('fit').click();
    const c = (await editor.canvas.boundingBox())!;
    for (const id of ids) {
      const b = await editor.boxOf(id);
      expect(b.x >= c.x - 1 && b.x + b.width <= c.x + c.width + 1, `${id} in view`).toBe(true);
    }
    await expect(editor.tool('snap')).toBeChecked();
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg-canvas').trim());
    const dark = await bg();
    await page.getByTestId('theme-toggle').click(); // system → light
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await bg()).not.toBe(dark);
    await page.getByTestId('theme-toggle').click(); // light → dark
    await page.getByTestId('theme-toggle').click(); // dark → system
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await bg()).not.toBe(dark); // following the OS
    await page.emulateMedia({ colorScheme: 'dark' });
    await editor.clickEmptyCanvas();
    await page.keyboard.press('Shift+?');
    await expect(page.getByTestId('shortcut-sheet')).toContainText('Duplicate');
    await page.getByTestId('shortcut-sheet-close').click();
    await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
  });
});

test.describe('editor: knowing the model', () => {
  test('summary table with totals and memory; clicking a row selects the block; share bars; templates', async ({ page }) => {
    const editor = await fresh(page, 'lenet-5');
    await editor.tool('summary').click();
    await expect(editor.summary).toBeVisible();
    await expect(page.getByTestId('summary-total-params')).toHaveText('61,706');
    // conv2d_1: 28·28 outputs × 5·5·1 window × 6 filters = 117,600 multiply-adds (shown as 118k).
    await expect(page.getByTestId('summary-row-conv2d_1')).toContainText('118k');
    await page.getByTestId('summary-row-dense_1').click();
    expect(await editor.selectedIds()).toEqual(['dense_1']);
    const mem1 = await page.getByTestId('summary-memory').textContent();
    await page.getByTestId('summary-batch').fill('256');
    await expect(page.getByTestId('summary-memory')).not.toHaveText(mem1 ?? '');
    // dense_1 holds 48,120 of 61,706 parameters: the biggest bar.
    const share = Number(await page.getByTestId('share-dense_1').getAttribute('data-param-share'));
    expect(share).toBeCloseTo(48120 / 61706, 3);
    await page.getByTestId('summary-close').click();

    for (const id of ['small-resnet', 'vgg-unit', 'all-conv']) {
      await editor.loadTemplateFromMenu(id);
      await expect(editor.health).toHaveText('Ready');
    }
    await expect(editor.totalParams).toHaveAttribute('data-count', '16808');
  });

  test('diagram export as PNG and SVG; README screenshot', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const editor = await fresh(page, 'vgg-unit');
    await expect(editor.totalParams).toHaveAttribute('data-count', '230186');
    for (const kind of ['png', 'svg'] as const) {
      const download = page.waitForEvent('download');
      await page.getByTestId(`export-${kind}`).click();
      const d = await download;
      expect(d.suggestedFilename()).toBe(`network.${kind}`);
      const path = await d.path();
      const { readFileSync } = await import('node:fs');
      const head = readFileSync(path).subarray(0, 8);
      if (kind === 'png') expect([...head.subarray(1, 4)].map((x) => String.fromCharCode(x)).join('')).toBe('PNG');
      else expect(readFileSync(path, 'utf8')).toContain('<svg');
    }
    await editor.block('conv2d_2').click();
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/editor.png' });
  });
});
