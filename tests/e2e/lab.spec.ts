// The Lab tab: the gallery shows the claims (and why one cannot run yet); one experiment runs with
// one click on wasm, its runs join the run history (overlaid), and its outcome shows the comparison,
// the verdict in words and its chart; a run that recorded gradient norms shows them under Curves.
import { expect, test } from '@playwright/test';
import { EditorPage } from './pages/editor';

test.setTimeout(420_000);

test('runs vanishing-gradients from the Lab tab and shows its comparison, verdict and norm charts', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');

  await page.getByTestId('tab-lab').click();
  const lab = page.getByTestId('lab-panel');
  await expect(lab).toBeVisible();
  await expect(lab.getByTestId(/^lab-exp-/)).toHaveCount(11);
  // An experiment marked unavailable says why (whichever are, when this runs).
  const detail = page.getByTestId('lab-detail');
  await page.getByTestId('lab-exp-pixels').click();
  await expect(page.getByTestId('lab-claim')).toContainText('Logistic regression on raw pixels');
  await expect(page.getByTestId('lab-limit')).toHaveValue('10000');

  await page.getByTestId('lab-exp-vanishing-gradients').click();
  await expect(detail).toHaveAttribute('data-experiment', 'vanishing-gradients');
  const limit = page.getByTestId('lab-limit');
  await limit.fill('2000');
  await limit.press('Enter');
  await page.getByTestId('lab-run').click();

  // Progress per run while it trains, then the outcome.
  await expect(page.getByTestId('lab-progress-row')).toHaveCount(2);
  await expect(page.getByTestId('lab-cancel')).toBeVisible();
  await expect(lab).toHaveAttribute('data-status', 'done', { timeout: 360_000 });
  const verdict = page.getByTestId('lab-verdict');
  await expect(verdict).toContainText(/Holds|Does not hold/);
  // The claimed direction: the sigmoid net's first layer gets far less gradient than the ReLU net's.
  await expect(verdict).toHaveAttribute('data-holds', 'true');
  const rows = page.getByTestId('lab-comparison-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toContainText('Sigmoid: first-layer gradient norm');
  const chart = page.getByTestId('lab-chart-vanishing-gradients');
  await expect(chart).toHaveAttribute('data-categories', /^dense_1\|dense_2/);
  const [sigmoid, relu] = JSON.parse((await chart.getAttribute('data-values'))!) as number[][];
  expect(sigmoid[0]).toBeLessThan(relu[0]);
  await expect(lab.locator('[data-testid^="lab-norms-"]')).toHaveCount(2);
  await page.screenshot({ path: '/tmp/shot-lab.png' });

  // Both runs are normal runs in the history, on wasm, named after the experiment, and overlaid.
  const recs = await editor.runs();
  const ours = recs.filter((r) => r.name.startsWith('Vanishing gradients · '));
  expect(ours.map((r) => r.state)).toEqual(['done', 'done']);
  expect((await editor.run()).backend).toBe('wasm');
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('run-compare-chart')).toHaveAttribute('data-series-count', '2');

  // The shown run (the last of the experiment) recorded gradient norms: its chart is under Curves.
  await page.getByTestId('tab-curves').click();
  const norms = page.getByTestId('grad-norm-chart');
  await expect(norms).toBeVisible();
  await expect(norms).toHaveAttribute('data-layers', /dense_1/);
});
