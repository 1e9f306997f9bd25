/**
 * The Search page in chromium against `winnow serve`: with the MNIST sample imported (by the CLI, into the
 * serve's data folder), check the form's defaults for the dataset and that a search the API refuses shows the
 * refusal, then run a tiny DARTS search from the UI (2 epochs, batch 8, C = 4, 2 cells, 8 images per class) and
 * watch it live: the α heatmaps update each epoch, the derived cell is drawn, the curves fill in; once finished,
 * the genotype text, copy, and the DARTS-text / JSON / PNG exports download. Then open it from Runs ("View in
 * Search") and from the list, and run a one-epoch NAS-Bench-201 search the same way. Then the data selection: a
 * BDP search (the form refuses T = 1 and says why; T = 2 over 3 epochs prunes once, after epoch 2) and a DDS search
 * that trains its own autoencoder first (mastery, easy / hard, the subset strip, replacements, per epoch); and the
 * Runs page compares the three searches ticked there (curves, and per search its genotype, supernet test accuracy
 * and images processed, checked against the jobs' results). Screenshots go to test-results/e2e-search-*.png.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  download,
  fillFields,
  openEmptyJobPage,
  pickCard,
  SHOTS,
  shotsAtWidths,
  tallShot,
  expectLayoutHolds,
  uiSuite,
} from '../helpers/ui.js';
import { jobResultWithCli } from '../helpers/cli-data.js';

let dartsId = 0;
let bdpId = 0;
let ddsId = 0;

/** A duration as the UI writes it ("850 ms", "12.4 s", "2 min 03 s", "1 h 04 min") in seconds. */
function seconds(text: string): number {
  const unit: Record<string, number> = { h: 3600, min: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?) (h|min|s|ms)\b/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

const idFromUrl = () => Number(/#\/search\/(\d+)$/.exec(page.url())?.[1] ?? NaN);

/** Waits until the heatmap of `cell` shows epoch `epoch`. */
const heatmapAt = (cell: string, epoch: number, timeout = 150_000) =>
  page.locator(`[data-testid="alpha-heatmap-${cell}"][data-epoch="${epoch}"]`).waitFor({ timeout });

/** The data-selection panel's per-epoch row of `epoch`, as numbers (its data attributes). */
async function selectionRow(epoch: number): Promise<Record<string, number | undefined>> {
  const row = page.getByTestId(`search-selection-epoch-${epoch}`);
  const names = ['train', 'val', 'images-total', 'replaced', 'easy', 'hard', 'seen', 'remaining-train', 'pruned-train'];
  const out: Record<string, number | undefined> = {};
  for (const n of names) {
    const v = await row.getAttribute(`data-${n}`);
    out[n] = v == null ? undefined : Number(v);
  }
  return out;
}

/** A finished search's result as `winnow jobs show --json` reports it (the store, not the page). */
const searchResult = (id: number) =>
  jobResultWithCli<{
    supernetTest: { accuracy: number; images: number };
    imagesProcessed: number;
    genotypeText: string;
  }>(ui.dataDir, id);

/**
 * The finished search's genotype text, once the panel shows the final cell; 2 tiny epochs leave α near uniform, so
 * beside the genotype the view says the cell is arbitrary.
 */
async function finalGenotypeText(): Promise<string> {
  await page.locator('[data-testid="genotype-panel"][data-final="true"]').waitFor({ timeout: 15_000 });
  const meaning = page.getByTestId('search-meaning-alpha-uniform');
  await meaning.waitFor();
  expect(await meaning.getAttribute('data-level')).toBe('warn');
  expect(await meaning.textContent()).toMatch(/not separated the operations yet.*arbitrary.*more epochs/s);
  return (await page.getByTestId('genotype-text').textContent()) ?? '';
}

/** Fills the form with a tiny configuration. */
async function tinyConfig(space: 'darts' | 'nb201', epochs: number, cells: number, jpegQuality = ''): Promise<void> {
  await pickCard(page, `search-space-${space}`);
  await fillFields(page, {
    'search-epochs': epochs,
    'search-batch': 8,
    'search-channels': 4,
    'search-cells': cells,
    'search-limit': 8,
    'search-jpeg-quality': jpegQuality,
  });
}

const { ui, page } = uiSuite();

describe('Search page', () => {
  it('offers the form with defaults for the sample dataset', async () => {
    await openEmptyJobPage(ui, 'search', 'search');
    expect(await page.getByTestId('search-dataset').locator('option:checked').textContent()).toMatch(/MNIST sample/);
    expect(await page.getByTestId('search-dataset-facts').textContent()).toMatch(/10 classes, 10,000 images/);
    // suggestSearchParams for 10 classes of ~800 training images at 28x28: 200 per class, batch 32, C = 16, 5 cells
    expect(await page.getByTestId('search-limit').inputValue()).toBe('200');
    expect(await page.getByTestId('search-batch').inputValue()).toBe('32');
    expect(await page.getByTestId('search-channels').inputValue()).toBe('16');
    expect(await page.getByTestId('search-cells').inputValue()).toBe('5');
    await page
      .locator('[data-testid="search-limit-note"]', { hasText: /2,000 of the\s+8,000 training images/ })
      .waitFor();
    expect(await page.getByTestId('search-space-darts').isChecked()).toBe(true);
    expect(await page.getByTestId('search-cells-label').textContent()).toBe('Cells');
    // nb201 counts cells per stage, with its own default
    await pickCard(page, 'search-space-nb201');
    expect(await page.getByTestId('search-cells-label').textContent()).toBe('Cells per stage');
    expect(await page.getByTestId('search-cells').inputValue()).toBe('1');
    expect(await page.getByTestId('search-space-about').textContent()).toMatch(/NAS-Bench-201/);
    await pickCard(page, 'search-space-darts');
    expect(await page.getByTestId('search-cells').inputValue()).toBe('5');
    expect(await page.getByTestId('search-strategy-full').isChecked()).toBe(true);
    await expectLayoutHolds(page, 'e2e-search-form');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-search-form.png') });
  });

  it('shows the parameters of the chosen data-selection strategy', async () => {
    await pickCard(page, 'search-strategy-dds');
    expect(await page.getByTestId('search-strategy-about').textContent()).toMatch(/DDS-NAS/);
    // S defaults to 100 for MNIST-sized data (the placeholder), the rest to the paper's values
    expect(await page.getByTestId('search-subset').getAttribute('placeholder')).toBe('100');
    expect(await page.getByTestId('search-mastery').inputValue()).toBe('0.5');
    expect(await page.getByTestId('search-hardness').inputValue()).toBe('0.85');
    expect(await page.getByTestId('search-val-mode').inputValue()).toBe('resample-each-epoch');
    // no autoencoder has been trained on the sample
    await page.getByTestId('search-autoencoder-none').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('search-prune-every').count()).toBe(0);
    await pickCard(page, 'search-strategy-bdp');
    expect(await page.getByTestId('search-prune-every').inputValue()).toBe('5');
    expect(await page.getByTestId('search-prune-train').inputValue()).toBe('20');
    expect(await page.getByTestId('search-balance').isChecked()).toBe(true);
    expect(await page.getByTestId('search-mastery').count()).toBe(0);
    await pickCard(page, 'search-strategy-random');
    expect(await page.getByTestId('search-subset').count()).toBe(1);
    expect(await page.getByTestId('search-mastery').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-search-strategy.png') });
    await pickCard(page, 'search-strategy-full');
    expect(await page.getByTestId('search-strategy-fields').count()).toBe(0);
  });

  it('shows the API’s refusal when a search cannot run', async () => {
    // 2 images per class (1 per half) cannot fill a batch of 512 over 10 classes
    const before = ui.problems.length;
    await page.getByTestId('search-limit').fill('2');
    await page.getByTestId('search-batch').fill('512');
    await page.getByTestId('search-start').click();
    // said once, where it happened: beside the form's Start, not in the page's banner as well
    const problem = page.getByTestId('search-form-problem');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.textContent()).toMatch(/batch of 512.*Lower the batch size/);
    expect(await page.getByTestId('error-banner').count()).toBe(0);
    expect(page.url()).toMatch(/#\/search$/);
    // the refused call is logged (HTTP 400, and the form's error in the console): expected here, nothing else
    const logged = ui.problems.splice(before);
    expect(logged.length).toBeGreaterThan(0);
    for (const p of logged) expect(p).toMatch(/status of 400|Could not start the search/);
  });

  it('runs a tiny DARTS search live: heatmaps update per epoch, the cell is drawn', async () => {
    await tinyConfig('darts', 2, 2);
    await page.getByTestId('search-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    dartsId = idFromUrl();
    expect(dartsId).toBeGreaterThan(0);
    await page.getByTestId('search-view').waitFor();
    const normal = page.getByTestId('alpha-heatmap-normal');
    // before the first epoch: 14 edge rows of dashes, so nothing moves when the first snapshot arrives
    expect(await normal.locator('tbody tr').count()).toBe(14);
    expect(await normal.locator('thead th').count()).toBe(9); // edge + 8 DARTS operations

    await heatmapAt('normal', 1);
    await heatmapAt('reduce', 1);
    const labels = await normal.locator('tbody th').allTextContents();
    expect(labels[0]).toBe('c_{k-2} → 0');
    expect(labels).toContain('1 → 3');
    const title = await normal.locator('tbody td').first().getAttribute('title');
    expect(title).toMatch(/^c_\{k-2\} → 0, none: \d\.\d{4}/);
    const graph = page.locator('[data-testid="cell-graph-normal"][data-epoch="1"] svg');
    await graph.waitFor();
    const edgeLabels = await graph.locator('text').allTextContents();
    expect(edgeLabels.some((t) => /pool|conv|skip/.test(t))).toBe(true);
    await page.locator('[data-testid="cell-graph-reduce"] svg').waitFor();
    if ((await page.getByTestId('search-status').getAttribute('data-state')) === 'running') {
      await page.screenshot({ path: path.join(SHOTS, 'e2e-search-live.png') });
    }
    // the phase under way is named; this search trains no autoencoder, so it has two
    const phase = await page
      .getByTestId('search-phase')
      .textContent({ timeout: 1000 })
      .catch(() => null);
    if (phase !== null) expect(phase).toMatch(/^(Searching \(part 1 of 2\)|Testing \(part 2 of 2\))$/);

    await heatmapAt('normal', 2);
    await page.locator('[data-testid="cell-graph-normal"][data-epoch="2"] svg').waitFor();
    // after epoch 2 the supernet is tested on the sample's whole test split (2,000 images): slow on a busy machine
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 150_000 });
    // the supernet's test accuracy, and the job's wall time: start to end, testing included, so never less than
    // the epochs' training time the result counts
    expect(await page.getByTestId('search-test-accuracy').textContent()).toMatch(
      /^supernet test acc \d+(\.\d+)?\s?% on \d+ images$/,
    );
    const wall = (await page.getByTestId('search-wall-time').textContent()) ?? '';
    expect(wall).toMatch(/ in all$/);
    const training = (await page.getByTestId('search-training-time').textContent()) ?? '';
    expect(seconds(wall)).toBeGreaterThanOrEqual(seconds(training));
    expect(seconds(training)).toBeGreaterThan(0);
    await page.evaluate(() => document.querySelector('.content')?.scrollTo(0, 0));
    await shotsAtWidths(page, 'e2e-search-done-status');
    expect(await page.getByTestId('search-chart-loss').getAttribute('data-points')).toBe('4'); // train + val, 2 epochs
    expect(await page.getByTestId('search-chart-seconds').getAttribute('data-points')).toBe('2');
  }, 300_000);

  it('shows the genotype when finished, copies it and exports DARTS text, JSON and PNG', async () => {
    const text = await finalGenotypeText();
    expect(text).toMatch(/^Genotype\(normal=\[\('\w+', \d\), .*normal_concat=.*reduce=\[.*reduce_concat=/);

    await page.getByTestId('genotype-copy').click();
    await page.locator('[data-testid="genotype-note"]', { hasText: /Copied|selected/ }).waitFor();

    expect(await page.getByTestId('export-nb201').count()).toBe(0); // only the format the space has
    const txt = await download(page, 'export-darts');
    expect(txt.download.suggestedFilename()).toMatch(
      new RegExp(`^search-${dartsId}-mnist-sample-darts-[a-z-]+-genotype\\.txt$`),
    );
    expect(txt.bytes.toString('utf8').trim()).toBe(text.trim());

    const json = await download(page, 'export-json');
    expect(json.download.suggestedFilename()).toMatch(/\.json$/);
    const doc = JSON.parse(json.bytes.toString('utf8')) as { genotype: { space: string }; text: string };
    expect(doc.genotype.space).toBe('darts');
    expect(doc.text.trim()).toBe(text.trim());

    const png = await download(page, 'export-png-reduce');
    expect(png.download.suggestedFilename()).toMatch(
      new RegExp(`^search-${dartsId}-mnist-sample-darts-[a-z-]+-reduce\\.png$`),
    );
    expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.bytes.length).toBeGreaterThan(1000);

    const svg = await download(page, 'export-svg-normal');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    await page.locator('[data-testid="genotype-note"]', { hasText: /Saved/ }).waitFor();
    await expectLayoutHolds(page, 'e2e-search-done');
    await tallShot(page, 'e2e-search-done.png', 2100);
  });

  it('scrubs back to the first epoch', async () => {
    const scrub = page.getByTestId('search-epoch-scrub');
    await scrub.focus();
    await page.keyboard.press('ArrowLeft');
    await heatmapAt('normal', 1, 5_000);
    await page.locator('[data-testid="cell-graph-reduce"][data-epoch="1"]').waitFor();
    await page.getByTestId('search-follow-latest').click();
    await heatmapAt('normal', 2, 5_000);
  });

  it('opens the finished search from Runs and from the list, read-only', async () => {
    await page.goto(`${ui.serve.url}#/runs/${dartsId}`);
    await page.getByTestId('job-details').waitFor();
    // the job's details say it too
    await page.getByTestId('job-meaning-alpha-uniform').waitFor();
    await page.getByTestId('job-view-search').click();
    await page.waitForURL(new RegExp(`#/search/${dartsId}$`));
    await heatmapAt('normal', 2, 15_000);
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor();
    expect(await page.getByTestId('search-cancel').count()).toBe(0);
    await page.locator('[data-testid="genotype-panel"][data-final="true"]').waitFor();
    await page.locator('[data-testid="search-chart-accuracy"][data-points="4"]').waitFor();
    expect(await page.getByTestId('search-settings').textContent()).toMatch(/C = 4, 2 cells, 2 epochs, batch 8/);

    await page.getByTestId('search-back').click();
    await page.waitForURL(/#\/search$/);
    const row = page.locator(`[data-testid="search-row-${dartsId}"][data-state="done"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/2 \/ 2/);
    expect(await row.textContent()).toMatch(/Genotype\(normal=/);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-search-list.png') });
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/search/${dartsId}$`));
    await heatmapAt('normal', 2, 15_000);
  });

  it('runs a one-epoch NAS-Bench-201 search on JPEG-compressed images: one cell type, the nb201 string', async () => {
    await page.getByTestId('search-back').click();
    await page.getByTestId('search-form').waitFor();
    // the JPEG stage [Poyser-thesis §6]: every image the search sees goes through quality 50 first
    expect(await page.getByTestId('search-jpeg-subsampling').isDisabled()).toBe(true);
    await tinyConfig('nb201', 1, 1, '50');
    expect(await page.getByTestId('search-jpeg-subsampling').isDisabled()).toBe(false);
    await page.getByTestId('search-start').click();
    await page.waitForURL((url) => /^#\/search\/\d+$/.test(url.hash) && idFromUrl() !== dartsId, { timeout: 15_000 });
    const id = idFromUrl();
    const normal = page.getByTestId('alpha-heatmap-normal');
    await normal.waitFor();
    expect(await normal.locator('tbody tr').count()).toBe(6);
    expect(await normal.locator('thead th').count()).toBe(6); // edge + 5 NB201 operations
    expect(await page.getByTestId('alpha-heatmap-reduce').count()).toBe(0);
    await heatmapAt('normal', 1);
    expect(await normal.locator('tbody th').allTextContents()).toEqual([
      '0 → 1',
      '0 → 2',
      '1 → 2',
      '0 → 3',
      '1 → 3',
      '2 → 3',
    ]);
    await page.locator('[data-testid="cell-graph-normal"][data-epoch="1"] svg').waitFor();
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('search-settings').textContent()).toMatch(/JPEG quality 50, 4:2:0\.\s*$/);
    const text = await finalGenotypeText();
    expect(text).toMatch(/^\|\w+~0\|\+\|\w+~0\|\w+~1\|\+\|\w+~0\|\w+~1\|\w+~2\|$/);
    expect(await page.getByTestId('export-darts').count()).toBe(0);
    expect(await page.getByTestId('export-svg-reduce').count()).toBe(0);
    const txt = await download(page, 'export-nb201');
    expect(txt.download.suggestedFilename()).toMatch(
      new RegExp(`^search-${id}-mnist-sample-darts-[a-z-]+-nb201\\.txt$`),
    );
    expect(txt.bytes.toString('utf8').trim()).toBe(text);
    await tallShot(page, 'e2e-search-nb201.png', 1900);
  });

  it('refuses BDP with T = 1 saying why, then runs three epochs with T = 2: one pruning, after epoch 2', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-form').waitFor();
    await tinyConfig('nb201', 3, 1);
    await pickCard(page, 'search-strategy-bdp');
    await page.getByTestId('search-prune-every').fill('1');
    await page.getByTestId('search-start').click();
    // refused by the form itself: nothing is started, and it says why
    expect(await page.getByTestId('search-form-problem').textContent()).toMatch(
      /^Prune every T: a whole number from 2 to 500 — .*over a single epoch.*at random\.$/,
    );
    expect(page.url()).toMatch(/#\/search$/);
    expect(await page.getByTestId('error-banner').count()).toBe(0);

    await page.getByTestId('search-prune-every').fill('2');
    await page.getByTestId('search-start').click();
    await page.waitForURL((url) => /^#\/search\/\d+$/.test(url.hash), { timeout: 15_000 });
    bdpId = idFromUrl();
    expect(bdpId).toBeGreaterThan(dartsId);
    await page.getByTestId('search-selection').waitFor();
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 150_000 });
    await page.locator('[data-testid="search-chart-remaining"][data-points="6"]').waitFor({ timeout: 15_000 }); // train + val, 3 epochs

    // 8 images per class: 40 in train_w and 40 in train_α; T = 2 prunes after epoch 2 only (never after the last)
    await page.getByTestId('search-selection-epochs').locator('summary').click();
    const [e1, e2, e3] = [await selectionRow(1), await selectionRow(2), await selectionRow(3)];
    expect([e1['pruned-train'], e2['pruned-train'], e3['pruned-train']]).toEqual([undefined, 8, undefined]); // 20 % of 40
    expect([e1.train, e2.train, e3.train]).toEqual([40, 40, 32]);
    expect(e2['remaining-train']).toBe(32);
    expect(await page.getByTestId('search-bdp-remaining').textContent()).toMatch(/remaining: 32 train, 36 val/);
    // training images processed grow every epoch, by less once pruned
    const totals = [e1['images-total']!, e2['images-total']!, e3['images-total']!];
    expect(totals[1]! - totals[0]!).toBe(totals[0]);
    expect(totals[2]! - totals[1]!).toBeGreaterThan(0);
    expect(totals[2]! - totals[1]!).toBeLessThan(totals[0]!);
    const voe = page.getByTestId('search-voe-train');
    expect(Number(await voe.getAttribute('data-bins'))).toBeGreaterThan(0);
    expect(Number(await voe.getAttribute('data-pruned'))).toBe(8);
    expect(await page.getByTestId('search-pruning-pick').locator('option').allTextContents()).toEqual([
      'epoch 2 (latest)',
    ]);
    await tallShot(page, 'e2e-search-bdp.png', 2400);
  });

  it('runs a DDS search that trains its own autoencoder first: mastery, easy / hard, the subset strip, replacements', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-form').waitFor();
    await tinyConfig('nb201', 3, 1);
    await page.getByTestId('search-limit').fill('16'); // 8 per class in train_w: room to replace a subset of 2 per class
    await pickCard(page, 'search-strategy-dds');
    await fillFields(page, { 'search-subset': 20, 'search-mastery': 0.1, 'search-hardness': 0.1, 'search-warmup': 1 });
    await page.getByTestId('search-autoencoder').selectOption('train');
    await page.getByTestId('search-train-ae-epochs').fill('1');
    await page.getByTestId('search-start').click();
    await page.waitForURL((url) => /^#\/search\/\d+$/.test(url.hash) && idFromUrl() !== bdpId, { timeout: 15_000 });
    ddsId = idFromUrl();
    await page.getByTestId('search-selection').waitFor();
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 150_000 });
    // mastery per epoch and the threshold m as a line
    await page.locator('[data-testid="search-chart-mastery"][data-points="5"]').waitFor({ timeout: 15_000 });

    await page.getByTestId('search-selection-epochs').locator('summary').click();
    const rows = [await selectionRow(1), await selectionRow(2), await selectionRow(3)];
    for (const r of rows) {
      expect(r.train, 'the subset keeps size S').toBe(20);
      expect(r.val).toBe(20);
      expect(r.easy! + r.hard!).toBe(20);
    }
    // warm-up 1: the first epoch keeps its subset; from then on easy images are swapped for the most different
    // images of their class not in the subset (the first time, all of those are unseen; later ones may be revisits)
    expect(rows[0]!.replaced).toBe(0);
    expect(rows[0]!.seen).toBe(20);
    expect(rows[1]!.replaced! + rows[2]!.replaced!, 'DDS replaced easy images after its warm-up').toBeGreaterThan(0);
    expect(rows[1]!.seen).toBe(20 + rows[1]!.replaced!);
    expect(rows[2]!.seen).toBeGreaterThanOrEqual(rows[1]!.seen!);
    expect(rows[2]!.seen).toBeLessThanOrEqual(rows[1]!.seen! + rows[2]!.replaced!);
    // the weight steps see the whole subset every epoch (batch 8: 8 + 8 + 4 of 20)
    expect(rows.map((r) => r['images-total'])).toEqual([20, 40, 60]);
    expect(await page.getByTestId('search-selection-images').textContent()).toMatch(/^60 training images processed$/);

    // the latest epoch: counts, and the strip of the subset with its hard and new images marked
    const last = rows[2]!;
    // innerText: the text as rendered (a template's line breaks fold into one space)
    expect(await page.getByTestId('search-dds-counts').innerText()).toMatch(
      new RegExp(
        `^${last.easy} easy, ${last.hard} hard · ${last.replaced} replaced this epoch · ${last.seen}\\s+unique images seen$`,
      ),
    );
    const strip = page.getByTestId('search-subset-strip');
    expect(await strip.getAttribute('data-rows')).toBe('20');
    expect(await strip.locator('.tile').count()).toBe(20);
    expect(await strip.locator('.tile.hard').count()).toBe(last.hard);
    expect(await strip.locator('.tile.hard .badge').count()).toBe(last.hard);
    expect(await strip.locator('.tile.replaced').count()).toBe(last.replaced);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="search-subset-strip"] img').length === 20,
      null,
      { timeout: 15_000 },
    );
    const title = (await strip.locator('.tile.hard').first().getAttribute('title')) ?? '';
    expect(title).toMatch(/^Image \d+, class .+ — hard/);
    await expectLayoutHolds(page, 'e2e-search-dds');
    await tallShot(page, 'e2e-search-dds.png', 2400);
  });

  it('shows the DDS search in Runs as a table of what applies: DDS fields, no BDP ones, accuracy in %', async () => {
    await page.goto(`${ui.serve.url}#/runs/${ddsId}`);
    const params = page.getByTestId('job-params');
    await params.waitFor();
    const labels = await params.locator('th .label').allTextContents();
    expect(labels).toEqual(
      expect.arrayContaining(['Data selection', 'Mastery m', 'Hardness window', 'Cyclic lr base']),
    );
    for (const bdp of ['Prune every T', 'Prune train %', 'Class balance']) expect(labels).not.toContain(bdp);
    expect(await params.locator('tr[data-key="strategy"] td').textContent()).toBe('DDS-NAS');
    // a field whose rule comes from the paper links to its entry
    expect(await params.locator('tr[data-key="mastery"] th a').getAttribute('href')).toBe('#/settings?paper=DDS-NAS');
    expect(await params.locator('tr[data-key="epochs"] td').textContent()).toBe('3');
    const result = await searchResult(ddsId);
    const accuracy = page.locator('[data-testid="job-figures"] tr[data-key="supernetTest.accuracy"] td');
    expect(await accuracy.textContent()).toBe(`${Number((result.supernetTest.accuracy * 100).toFixed(1))} %`);
    // the α values stay in the raw view, folded
    expect(await page.getByTestId('job-raw').getAttribute('open')).toBeNull();
    await page.getByTestId('job-view-search').click();
    await page.waitForURL(new RegExp(`#/search/${ddsId}$`));
  });

  it('compares the searches ticked on the Runs page: curves by epoch, images and wall time; test accuracy and images', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-compare-note').waitFor();
    await page.getByTestId('search-compare-note').getByRole('link').click();
    await page.waitForURL(/#\/runs$/);
    await page.getByTestId('runs-table').waitFor();
    // only search jobs can be ticked (job 1 imported the sample)
    await page.getByTestId(`run-compare-${dartsId}`).waitFor();
    expect(await page.getByTestId('run-compare-1').count()).toBe(0);
    expect(await page.getByTestId('search-compare-hint').textContent()).toMatch(/Tick two or more searches/);

    await page.getByTestId(`run-compare-${dartsId}`).check();
    await page.locator('[data-testid="search-compare-hint"]', { hasText: /Tick one more search/ }).waitFor();
    await page.getByTestId(`run-compare-${bdpId}`).check();
    await page.getByTestId(`search-compare-row-${bdpId}`).waitFor({ timeout: 15_000 });
    await page.getByTestId(`search-compare-row-${dartsId}`).waitFor({ timeout: 15_000 });
    // the DARTS search ran 2 epochs, the BDP one 3: one point per epoch and search
    await page.locator('[data-testid="search-compare-accuracy"][data-points="5"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('search-compare-loss').getAttribute('data-points')).toBe('5');
    for (const k of ['images', 'seconds'] as const) {
      await page.getByTestId(`search-compare-x-${k}`).check();
      expect(Number(await page.getByTestId('search-compare-accuracy').getAttribute('data-points'))).toBe(5);
    }
    await page.getByTestId(`run-compare-${ddsId}`).check();
    await page.getByTestId(`search-compare-row-${ddsId}`).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="search-compare-accuracy"][data-points="8"]').waitFor({ timeout: 15_000 });
    // in the order ticked
    const ids = await page
      .locator('[data-testid^="search-compare-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(ids).toEqual([dartsId, bdpId, ddsId].map((id) => `search-compare-row-${id}`));

    // each row: the strategy, the final genotype, the supernet's test accuracy and the images processed of its job
    for (const [id, strategy] of [
      [dartsId, 'full'],
      [bdpId, 'bdp'],
      [ddsId, 'dds'],
    ] as const) {
      const result = await searchResult(id);
      const row = page.getByTestId(`search-compare-row-${id}`);
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe(`#${id}`);
      expect(cells[1]).toBe(strategy);
      expect(cells[2]).toBe(result.genotypeText);
      expect(result.supernetTest.images).toBe(2000);
      expect(await page.getByTestId(`search-compare-test-${id}`).textContent()).toBe(
        `${(result.supernetTest.accuracy * 100).toFixed(1)} %`,
      );
      expect(await page.getByTestId(`search-compare-test-${id}`).getAttribute('title')).toBe('on 2,000 test images');
      expect(await page.getByTestId(`search-compare-images-${id}`).textContent()).toBe(
        result.imagesProcessed.toLocaleString('en-US'),
      );
    }
    // full trains on all 40 of its train_w each epoch; DDS on all of its subset of 20 (8 + 8 + 4) of a larger pool
    expect((await searchResult(dartsId)).imagesProcessed).toBe(80);
    expect((await searchResult(ddsId)).imagesProcessed).toBe(60);
    await expectLayoutHolds(page, 'e2e-search-compare');
    await tallShot(page, 'e2e-search-compare.png', 2000);

    // kept while visiting another page; Clear unticks them all
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-form').waitFor();
    await page.getByTestId('nav-runs').click();
    await page.getByTestId(`search-compare-row-${ddsId}`).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId(`run-compare-${bdpId}`).isChecked()).toBe(true);
    await page.getByTestId('search-compare-clear').click();
    await page.locator('[data-testid="search-compare"][data-count="0"]').waitFor();
    expect(await page.getByTestId(`run-compare-${dartsId}`).isChecked()).toBe(false);
  });

  it('ran without console errors or CSP violations', () => {
    expect(ui.problems).toEqual([]);
  });
});
