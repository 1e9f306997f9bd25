/**
 * The Experiments page in chromium against `winnow serve`, with the MNIST sample: build a tiny grid from the form
 * (Custom: full data and a random subset, one seed, the quick scale with one epoch of search and of evaluation), see
 * the plan's job count and estimate, Start, watch the four child jobs to the end, read the report (the quick scale's
 * "not evidence" note, one row per cell) and download it as a zip. Then a grid started through the API with a
 * compression study and two seeds: the page shows the study's table and each seed's derived cells. Screenshots at
 * 1400 and 1024 px wide go to test-results/e2e-experiments-*.png.
 */
import { describe, expect, it } from 'vitest';
import { scaleSettings } from '../../renderer/src/lib/experiments.js';
import {
  download,
  expectLayoutHolds,
  openEmptyJobPage,
  pickCard,
  tallShot,
  SHOT_WIDTHS,
  uiSuite,
} from '../helpers/ui.js';

const { ui, page } = uiSuite();
let experimentId = 0;

describe('Experiments page', () => {
  it('builds a custom grid and shows its plan before Start', async () => {
    await openEmptyJobPage(ui, 'experiments', 'experiment');
    expect(await page.getByTestId('experiment-dataset').locator('option:checked').textContent()).toMatch(
      /MNIST sample/,
    );
    // the default preset fills the axes; Custom keeps them editable
    expect(await page.getByTestId('experiment-strategy-dds').isChecked()).toBe(true);
    await pickCard(page, 'experiment-preset-custom');
    await pickCard(page, 'experiment-scale-quick');
    expect(await page.getByTestId('experiment-scale-note').textContent()).toMatch(/not evidence/);
    for (const s of ['dds', 'dds-untrained']) await page.getByTestId(`experiment-strategy-${s}`).uncheck();
    expect(await page.getByTestId('experiment-strategy-full').isChecked()).toBe(true);
    expect(await page.getByTestId('experiment-strategy-random').isChecked()).toBe(true);
    await page.getByTestId('experiment-seeds').fill('1');
    await page.getByTestId('experiment-settings').locator('summary').click();
    await page.getByTestId('experiment-search-epochs').fill('1');
    await page.getByTestId('experiment-evaluate-epochs').fill('1');

    // 2 strategies x 1 seed: a search and an evaluation each
    const plan = page.locator('[data-testid="experiment-plan"][data-jobs="4"]');
    await plan.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('experiment-plan-jobs').textContent()).toBe('4 jobs: 2 searches, 2 evaluations.');
    expect(await page.getByTestId('experiment-plan-estimate').textContent()).toMatch(/\S/);
    await expectLayoutHolds(page, 'e2e-experiments-form');
    await tallShot(page, 'e2e-experiments-form', 1800, SHOT_WIDTHS);
  });

  it('starts the experiment and watches its children to the end', async () => {
    await page.getByTestId('experiment-start').click();
    await page.waitForURL((url) => /^#\/experiments\/\d+$/.test(url.hash), { timeout: 15_000 });
    experimentId = Number(/#\/experiments\/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('experiment-view').waitFor();
    await page.locator('[data-testid="experiment-children-table"][data-rows="4"]').waitFor({ timeout: 30_000 });
    await tallShot(page, 'e2e-experiments-running', 1400, SHOT_WIDTHS);
    const status = page.locator('[data-testid="experiment-status"]:is([data-state="done"], [data-state="failed"])');
    await status.waitFor({ timeout: 300_000 });
    expect(await status.getAttribute('data-state')).toBe('done');
    await page.locator('[data-testid="experiment-children-table"][data-done="4"]').waitFor({ timeout: 15_000 });
    // each child links to its own page
    const links = await page
      .getByTestId('experiment-child-link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.filter((h) => /^#\/search\/\d+$/.test(h ?? ''))).toHaveLength(2);
    expect(links.filter((h) => /^#\/evaluate\/\d+$/.test(h ?? ''))).toHaveLength(2);
  });

  it('shows the report and downloads it as a zip', async () => {
    const table = page.locator('[data-testid="experiment-report-table"][data-rows="2"]');
    await table.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('experiment-evidence-note').first().textContent()).toMatch(/not evidence/);
    for (const cell of await page.getByTestId('experiment-report-test').allTextContents()) expect(cell).toMatch(/%/);
    await expectLayoutHolds(page, 'e2e-experiments-report');
    await tallShot(page, 'e2e-experiments-report', 2600, SHOT_WIDTHS);
    const zip = await download(page, 'experiment-download');
    expect(zip.download.suggestedFilename()).toMatch(/\.zip$/);
    expect(zip.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('lists the experiment, done, and Runs opens it here', async () => {
    await page.goto(`${ui.serve.url}#/experiments`);
    const row = page.locator(`[data-testid="experiment-row-${experimentId}"][data-state="done"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Full data vs Random subset \(quick\)/);
    expect(await page.getByTestId('experiment-row-progress').first().textContent()).toBe('4 / 4');
    await page.goto(`${ui.serve.url}#/runs/${experimentId}`);
    await page.getByTestId('job-view-experiments').click();
    await page.waitForURL((url) => url.hash === `#/experiments/${experimentId}`);
    await page.getByTestId('experiment-view').waitFor();
    expect(ui.problems).toEqual([]);
  });

  it("shows a grid's compression study and every seed's derived cells", async () => {
    // the form has no study outside the compression-robustness preset (minutes on wasm): start a small one directly
    const quick = scaleSettings('quick');
    const token = new URL(ui.serve.url).searchParams.get('token')!;
    const res = await fetch(new URL('/api/jobs.start', ui.serve.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        kind: 'experiment',
        params: {
          datasetId: 1,
          scale: 'quick',
          name: 'study and seeds',
          strategies: ['random'],
          seeds: [0, 1],
          search: { ...quick.search, epochs: 1 },
          evaluate: { ...quick.evaluate, epochs: 3 },
          study: { qualities: [50], subsampling: ['4:2:0'], protocols: ['test'], epochs: 1 },
        },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { id } = (await res.json()) as { id: number };
    await page.goto(`${ui.serve.url}#/experiments/${id}`);
    const status = page.locator('[data-testid="experiment-status"]:is([data-state="done"], [data-state="failed"])');
    await status.waitFor({ timeout: 300_000 });
    expect(await status.getAttribute('data-state')).toBe('done');
    // one cell, one quality, one protocol: one row, its top-1 over the two seeds
    const study = page.locator('[data-testid="experiment-study-table"][data-rows="1"]');
    await study.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('experiment-study-row').textContent()).toMatch(
      /test\s*50\s*4:2:0\s*\d+\.\d ± \d+\.\d %/,
    );
    // the MNIST sample has no groups: no spread column
    expect(await study.textContent()).not.toMatch(/Group spread/);
    expect(await page.getByTestId('experiment-genotype-drawn').count()).toBe(2);
    await expectLayoutHolds(page, 'e2e-experiments-study');
    await tallShot(page, 'e2e-experiments-study', 3000, SHOT_WIDTHS);
    expect(ui.problems).toEqual([]);
  });
});
