/**
 * The NASWOT panel of the Search page in chromium against `winnow serve`: with the MNIST sample imported and a tiny
 * DDS search run by the CLI (so there are mined images to pick), the method picker shows the three methods and
 * switches the form; a tiny ranking started from the UI (20 cells, batch 8, one repeat, C = 4) fills the score
 * histogram, lists the top cells and draws the chosen cell, whose text and exports match the job's result and which
 * "Evaluate this cell" pastes into the Evaluate form; a ranking on the DDS search's mined images with Kendall τ is
 * compared with its twin on random images ("Compare with random images" starts it), side by side with the notes
 * that say what the difference means. Runs opens a ranking in Search. Screenshots at 1400 and 1024 px wide go to
 * test-results/e2e-naswot-*.png.
 */
import { describe, expect, it } from 'vitest';
import { jobResultWithCli, runCliJson } from '../helpers/cli-data.js';
import { flags } from '../helpers/cli.js';
import {
  download,
  expectLayoutHolds,
  fillFields,
  openUiWithSample,
  pickCard,
  SHOT_WIDTHS,
  tallShot,
  uiSuite,
} from '../helpers/ui.js';

let ddsId = 0;
let rankingId = 0;

interface Ranked {
  text: string;
  mean: number | null;
}
interface NaswotResultLike {
  scored: number;
  top: Ranked[];
  chosen: { text: string; mean: number | null };
  kendall: { chosenAccuracy: number; tau: number } | null;
}

async function tinyRanking(): Promise<void> {
  await page.getByTestId('naswot-sample').fill('20');
  await page.getByTestId('naswot-batch').fill('8');
  await page.getByTestId('naswot-channels').fill('4');
}

const idFromUrl = () => Number(/#\/search\/(\d+)$/.exec(page.url())?.[1] ?? NaN);

const { ui, page } = uiSuite(
  openUiWithSample,
  async () => {
    // a tiny DDS search (untrained autoencoder, no warm-up): its one subset is what "mined" draws from
    const search = await runCliJson<{ jobId: number }>(
      [
        'search',
        ...flags({
          dataset: 1,
          space: 'nb201',
          strategy: 'dds-untrained',
          epochs: 1,
          batch: 8,
          channels: 4,
          cells: 1,
          limitPerClass: 8,
          subset: 16,
          warmupEpochs: 0,
        }),
      ],
      ui.dataDir,
      180_000,
    );
    ddsId = search.jobId;
  },
  240_000,
);

describe('NASWOT panel', () => {
  it('offers three methods at the top of the new-search form', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-method').waitFor();
    const labels = await page.locator('[data-testid="search-method"] .mode-title').allTextContents();
    expect(labels).toEqual([
      'Differentiable search (DARTS family)',
      'DSM-NAS — subspace mining over NAS-Bench-201',
      'Rank without training (NASWOT)',
    ]);
    expect(await page.getByTestId('search-form').count()).toBe(1);
    await pickCard(page, 'search-method-naswot');
    await page.getByTestId('naswot-form').waitFor();
    expect(await page.getByTestId('search-form').count()).toBe(0);
    // defaults from the schema
    expect(await page.getByTestId('naswot-sample').inputValue()).toBe('1000');
    expect(await page.getByTestId('naswot-repeats').inputValue()).toBe('3');
    expect(await page.getByTestId('naswot-input-size').getAttribute('placeholder')).toBe('own');
    expect(await page.getByTestId('naswot-kendall-fields').count()).toBe(0);
    await page.getByTestId('naswot-kendall').check();
    expect(await page.getByTestId('naswot-supernet-epochs').inputValue()).toBe('5');
    await page.getByTestId('naswot-kendall').uncheck();
    // the CLI's DDS search is the mined source on offer
    await pickCard(page, 'naswot-images-mined');
    expect(await page.getByTestId('naswot-mined-from').inputValue()).toBe(String(ddsId));
    await pickCard(page, 'naswot-images-random');
    await pickCard(page, 'search-method-dsm');
    await page.getByTestId('dsm-form').waitFor();
    await pickCard(page, 'search-method-naswot');
    // a field out of its limits is refused in words, before the API
    await page.getByTestId('naswot-batch').fill('1');
    await page.getByTestId('naswot-start').click();
    expect(await page.getByTestId('naswot-form-problem').textContent()).toBe(
      'Batch size: a whole number from 2 to 256.',
    );
    await tallShot(page, 'e2e-naswot-form', 1900, SHOT_WIDTHS);
  });

  it('ranks 20 cells from the UI: histogram, top cells, chosen cell', async () => {
    await tinyRanking();
    await page.getByTestId('naswot-repeats').fill('1');
    await page.getByTestId('naswot-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    rankingId = idFromUrl();
    await page.getByTestId('naswot-view').waitFor();
    await page.locator('[data-testid="naswot-status"][data-state="done"]').waitFor({ timeout: 120_000 });
    const result = await jobResultWithCli<NaswotResultLike>(ui.dataDir, rankingId);
    expect(result.scored).toBe(20);

    const hist = page.getByTestId('naswot-histogram');
    const binned = Number(await hist.getAttribute('data-cells'));
    expect(binned).toBeGreaterThan(0);
    expect(await page.getByTestId('naswot-done').textContent()).toMatch(/20 of 20 cells scored/);
    // every cell counted once: binned, or apart as −∞ (a singular kernel)
    const negInf = page.getByTestId('naswot-neg-inf');
    const singular = (await negInf.count()) > 0 ? Number(await negInf.textContent()) : 0;
    expect(binned + singular).toBe(20);

    const rows = page.getByTestId('naswot-top-row');
    expect(await rows.count()).toBe(result.top.length);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe(result.top[0]!.text);
    expect(await page.getByTestId('naswot-chosen-text').textContent()).toBe(result.chosen.text);
    const edges = await page
      .locator('[data-testid="naswot-chosen"] [data-testid="cell-graph-normal"] svg text')
      .allTextContents();
    expect(edges.length).toBeGreaterThan(0);
    expect(await page.getByTestId('naswot-speed').textContent()).toMatch(/cells\/s/);

    const txt = await download(page, 'naswot-chosen-export-nb201');
    expect(txt.download.suggestedFilename()).toBe(`naswot-${rankingId}-nb201.txt`);
    expect(txt.bytes.toString('utf8').trim()).toBe(result.chosen.text);
    const svg = await download(page, 'naswot-chosen-export-svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // a ranking on random images offers no comparison until a mined twin exists
    expect(await page.getByTestId('naswot-compare').count()).toBe(0);
    await expectLayoutHolds(page, 'e2e-naswot-view');
    await tallShot(page, 'e2e-naswot-view', 1900, SHOT_WIDTHS);

    await page.getByTestId('naswot-chosen-evaluate').click();
    await page.waitForURL(/#\/evaluate$/);
    await page.getByTestId('evaluate-genotype').waitFor();
    expect(await page.getByTestId('evaluate-genotype').inputValue()).toBe(result.chosen.text);
  });

  it('lists the ranking with its method, and Runs opens it in Search', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    const row = page.getByTestId(`method-run-${rankingId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('naswot');
    expect(await row.locator('.method').textContent()).toBe('NASWOT');
    await page.goto(`${ui.serve.url}#/runs/${rankingId}`);
    await page.getByTestId('job-view-search').click();
    await page.waitForURL(new RegExp(`#/search/${rankingId}$`));
    await page.getByTestId('naswot-view').waitFor();
  });

  it('compares a ranking on mined images with its twin on random images', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await pickCard(page, 'search-method-naswot');
    await tinyRanking();
    await page.getByTestId('naswot-repeats').fill('2');
    await pickCard(page, 'naswot-images-mined');
    expect(await page.getByTestId('naswot-mined-from').inputValue()).toBe(String(ddsId));
    await page.getByTestId('naswot-kendall').check();
    await fillFields(page, {
      'naswot-kendall-sample': 6,
      'naswot-supernet-epochs': 1,
      'naswot-supernet-batch': 16,
      'naswot-calibration-batches': 1,
      'naswot-limit-per-class': 8,
    });
    await page.getByTestId('naswot-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    const minedId = idFromUrl();
    await page.locator('[data-testid="naswot-status"][data-state="done"]').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('naswot-tau').textContent()).toMatch(/Kendall τ -?\d\.\d{3}/);
    expect(await page.locator('[data-testid="naswot-top"] thead th').last().textContent()).toBe('Accuracy');

    await page.getByTestId('naswot-compare-start').click();
    await page.getByTestId('naswot-compare-waiting').waitFor({ timeout: 15_000 });
    await page.getByTestId('naswot-compare-notes').waitFor({ timeout: 180_000 });
    const mined = await jobResultWithCli<NaswotResultLike>(ui.dataDir, minedId);
    const twinHref = await page.locator('[data-testid="naswot-compare-random"] h3 a').getAttribute('href');
    const twinId = Number(/(\d+)$/.exec(twinHref ?? '')?.[1]);
    expect(twinId).toBeGreaterThan(minedId);
    const random = await jobResultWithCli<NaswotResultLike>(ui.dataDir, twinId);
    const pct = (a: number) => `${(a * 100).toFixed(1)} %`; // formatAccuracy's form
    expect(await page.getByTestId('naswot-compare-mined-accuracy').textContent()).toBe(
      pct(mined.kendall!.chosenAccuracy),
    );
    expect(await page.getByTestId('naswot-compare-random-accuracy').textContent()).toBe(
      pct(random.kendall!.chosenAccuracy),
    );
    const notes = await page.getByTestId('naswot-compare-notes').textContent();
    expect(notes).toMatch(/not comparable between the two/);
    await expectLayoutHolds(page, 'e2e-naswot-compare');
    await tallShot(page, 'e2e-naswot-compare', 2300, SHOT_WIDTHS);

    // the twin's own view shows the same comparison
    await page.goto(`${ui.serve.url}#/search/${twinId}`);
    await page.getByTestId('naswot-compare-notes').waitFor();
    expect(ui.problems).toEqual([]);
  });
});
