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

test('runs adversarial from the Lab tab: accuracy against ε and an image flipped at its smallest ε', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.goto();
  await editor.loadTemplateFromWelcome('logistic-regression');

  await page.getByTestId('tab-lab').click();
  const lab = page.getByTestId('lab-panel');
  await page.getByTestId('lab-exp-adversarial').click();
  const limit = page.getByTestId('lab-limit');
  await limit.fill('1500');
  await limit.press('Enter');
  await page.getByTestId('lab-run').click();

  // While the experiment runs, Train is disabled and says why.
  await expect(page.getByTestId('lab-cancel')).toBeVisible();
  const train = page.getByTestId('train-button');
  await expect(train).toBeDisabled();
  await expect(train).toHaveAttribute('title', /Lab experiment is running/);

  await expect(lab).toHaveAttribute('data-status', 'done', { timeout: 360_000 });
  await expect(train).toBeEnabled();
  await expect(page.getByTestId('lab-chart-adversarial')).toHaveAttribute('data-categories', /^0\|0\.02/);

  // The picture: original, amplified perturbation and adversarial image, with both predictions.
  const ex = page.getByTestId('lab-fgsm-example');
  await expect(ex).toBeVisible();
  for (const id of ['lab-fgsm-original', 'lab-fgsm-perturbation', 'lab-fgsm-adversarial']) await expect(ex.getByTestId(id)).toBeVisible();
  await expect(page.getByTestId('lab-fgsm-position')).toHaveText('1 / 5');
  // Step to an image that flips (the first correctly classified ones come first; most flip by ε = 0.3).
  for (let i = 0; i < 5 && !(await ex.getAttribute('data-epsilon')); i++) await page.getByTestId('lab-fgsm-next').click();
  const eps = Number(await ex.getAttribute('data-epsilon'));
  expect(eps).toBeGreaterThan(0);
  expect(eps).toBeLessThanOrEqual(0.3);
  expect(await ex.getAttribute('data-attacked')).not.toBe(await ex.getAttribute('data-clean'));
  await expect(page.getByTestId('lab-fgsm-clean')).toContainText(/predicted \d \(\d+\.\d%\)/);
  await expect(page.getByTestId('lab-fgsm-attacked')).toContainText(/predicted \d \(\d+\.\d%\)/);
  await expect(page.getByTestId('lab-fgsm-note')).toContainText(`The smallest ε that flips`);
  await page.screenshot({ path: '/tmp/shot-lab-adversarial.png' });

  // The shown run is the experiment's: a lab run, not a stale one.
  await expect(page.getByTestId('lab-run-banner')).toContainText('A lab run (Failure cases: adversarial examples · net)');
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
});
