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
import fs from 'node:fs';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SHOTS, openUi, type UiSession } from '../helpers/ui.js';

let ui: UiSession;
let page: Page;
let problems: string[];
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

async function jobResult<T>(id: number): Promise<T> {
  const r = await runCli(['jobs', 'show', String(id), '--json'], ui.dataDir);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { job: { result: T } }).job.result;
}

/** Full-page shots at 1400 and 1024 px wide (the page scrolls inside its pane: a tall viewport for a moment). */
async function shots(name: string, height = 1900): Promise<void> {
  for (const width of [1400, 1024]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SHOTS, `e2e-naswot-${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function download(testid: string): Promise<{ download: Download; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId(testid).click()]);
  return { download: d, text: fs.readFileSync(await d.path(), 'utf8') };
}

/** A radio card (a label around a visually hidden radio) takes the click. */
async function pick(testid: string): Promise<void> {
  await page.getByTestId(testid).locator('xpath=..').click();
  expect(await page.getByTestId(testid).isChecked()).toBe(true);
}

async function tinyRanking(): Promise<void> {
  await page.getByTestId('naswot-sample').fill('20');
  await page.getByTestId('naswot-batch').fill('8');
  await page.getByTestId('naswot-channels').fill('4');
}

const idFromUrl = () => Number(/#\/search\/(\d+)$/.exec(page.url())?.[1] ?? NaN);

beforeAll(async () => {
  ui = await openUi({ width: 1280, height: 900 });
  ({ page, problems } = ui);
  const imported = await runCli(['dataset', 'sample', 'mnist'], ui.dataDir);
  expect(imported.code, imported.stderr).toBe(0);
  // a tiny DDS search (untrained autoencoder, no warm-up): its one subset is what "mined" draws from
  const search = await runCli(
    [
      'search',
      '--dataset',
      '1',
      '--space',
      'nb201',
      '--strategy',
      'dds-untrained',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--channels',
      '4',
      '--cells',
      '1',
      '--limit-per-class',
      '8',
      '--subset',
      '16',
      '--warmup-epochs',
      '0',
      '--json',
    ],
    ui.dataDir,
    180_000,
  );
  expect(search.code, search.stderr).toBe(0);
  ddsId = (JSON.parse(search.stdout) as { jobId: number }).jobId;
}, 240_000);

afterAll(async () => {
  await ui?.close();
});

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
    await pick('search-method-naswot');
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
    await pick('naswot-images-mined');
    expect(await page.getByTestId('naswot-mined-from').inputValue()).toBe(String(ddsId));
    await pick('naswot-images-random');
    await pick('search-method-dsm');
    await page.getByTestId('dsm-form').waitFor();
    await pick('search-method-naswot');
    // a field out of its limits is refused in words, before the API
    await page.getByTestId('naswot-batch').fill('1');
    await page.getByTestId('naswot-start').click();
    expect(await page.getByTestId('naswot-form-problem').textContent()).toBe(
      'Batch size: a whole number from 2 to 256.',
    );
    await shots('form');
  });

  it('ranks 20 cells from the UI: histogram, top cells, chosen cell', async () => {
    await tinyRanking();
    await page.getByTestId('naswot-repeats').fill('1');
    await page.getByTestId('naswot-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    rankingId = idFromUrl();
    await page.getByTestId('naswot-view').waitFor();
    await page.locator('[data-testid="naswot-status"][data-state="done"]').waitFor({ timeout: 120_000 });
    const result = await jobResult<NaswotResultLike>(rankingId);
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

    const txt = await download('naswot-chosen-export-nb201');
    expect(txt.download.suggestedFilename()).toBe(`naswot-${rankingId}-nb201.txt`);
    expect(txt.text.trim()).toBe(result.chosen.text);
    const svg = await download('naswot-chosen-export-svg');
    expect(svg.text).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // a ranking on random images offers no comparison until a mined twin exists
    expect(await page.getByTestId('naswot-compare').count()).toBe(0);
    await shots('view');

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
    await pick('search-method-naswot');
    await tinyRanking();
    await page.getByTestId('naswot-repeats').fill('2');
    await pick('naswot-images-mined');
    expect(await page.getByTestId('naswot-mined-from').inputValue()).toBe(String(ddsId));
    await page.getByTestId('naswot-kendall').check();
    await page.getByTestId('naswot-kendall-sample').fill('6');
    await page.getByTestId('naswot-supernet-epochs').fill('1');
    await page.getByTestId('naswot-supernet-batch').fill('16');
    await page.getByTestId('naswot-calibration-batches').fill('1');
    await page.getByTestId('naswot-limit-per-class').fill('8');
    await page.getByTestId('naswot-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    const minedId = idFromUrl();
    await page.locator('[data-testid="naswot-status"][data-state="done"]').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('naswot-tau').textContent()).toMatch(/Kendall τ -?\d\.\d{3}/);
    expect(await page.locator('[data-testid="naswot-top"] thead th').last().textContent()).toBe('Accuracy');

    await page.getByTestId('naswot-compare-start').click();
    await page.getByTestId('naswot-compare-waiting').waitFor({ timeout: 15_000 });
    await page.getByTestId('naswot-compare-notes').waitFor({ timeout: 180_000 });
    const mined = await jobResult<NaswotResultLike>(minedId);
    const twinHref = await page.locator('[data-testid="naswot-compare-random"] h3 a').getAttribute('href');
    const twinId = Number(/(\d+)$/.exec(twinHref ?? '')?.[1]);
    expect(twinId).toBeGreaterThan(minedId);
    const random = await jobResult<NaswotResultLike>(twinId);
    const pct = (a: number) => `${(a * 100).toFixed(1)} %`; // formatAccuracy's form
    expect(await page.getByTestId('naswot-compare-mined-accuracy').textContent()).toBe(
      pct(mined.kendall!.chosenAccuracy),
    );
    expect(await page.getByTestId('naswot-compare-random-accuracy').textContent()).toBe(
      pct(random.kendall!.chosenAccuracy),
    );
    const notes = await page.getByTestId('naswot-compare-notes').textContent();
    expect(notes).toMatch(/not comparable between the two/);
    await shots('compare', 2300);

    // the twin's own view shows the same comparison
    await page.goto(`${ui.serve.url}#/search/${twinId}`);
    await page.getByTestId('naswot-compare-notes').waitFor();
    expect(problems).toEqual([]);
  });
});
