/**
 * Cost before Start on the Search page in chromium against `winnow serve`, with the MNIST sample: a tiny search's
 * estimate (time, images, disk) shows before Start; 500 epochs over all images get the 30-minute warning, and
 * "Quick look" brings it down and says what it changed; the tiny search's actual time is within 2x of its estimate.
 * The autoencoder, evaluation, compression, NASWOT and DSM-NAS forms show theirs before Start too (one page load
 * each, no job).
 * Screenshots at 1400 and 1024 px wide: test-results/e2e-cost-*.png.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/jobs.js';
import { runCli } from '../helpers/cli.js';
import { SHOTS, openUi, pickCard, type UiSession } from '../helpers/ui.js';

let ui: UiSession;
let page: Page;
let problems: string[];

async function shots(name: string, prefix = 'search'): Promise<void> {
  for (const width of [1400, 1024]) {
    await page.setViewportSize({ width, height: 1100 });
    await page.getByTestId(`${prefix}-cost`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `e2e-cost-${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

/** Waits for an estimate other than `before` to be shown in the `prefix` form; its seconds. */
async function estimateAfter(before: string | null, timeout = 540_000, prefix = 'search'): Promise<number> {
  const handle = await page.waitForFunction(
    ([prev, testid]) => {
      const el = document.querySelector(`[data-testid="${testid}"]`);
      const s = el?.getAttribute('data-seconds');
      return el?.getAttribute('data-state') === 'ready' && s && s !== prev ? s : null;
    },
    [before, `${prefix}-cost`] as const,
    { timeout, polling: 200 },
  );
  return Number(await handle.jsonValue());
}

/** A form's estimate shows before Start (its images processed as given) and Start stays enabled; screenshots. */
async function costShown(prefix: string, images: string, name: string): Promise<void> {
  await estimateAfter(null, 120_000, prefix);
  expect(await page.getByTestId(`${prefix}-cost-images`).textContent()).toBe(`${images} images processed`);
  expect(await page.getByTestId(`${prefix}-cost-time`).textContent()).toMatch(/^about \d+ (s|min|h)/);
  expect(await page.getByTestId(`${prefix}-start`).isEnabled()).toBe(true);
  await shots(name, prefix);
}

beforeAll(async () => {
  ui = await openUi({ width: 1400, height: 900 });
  ({ page, problems } = ui);
  const imported = await runCli(['dataset', 'sample', 'mnist'], ui.dataDir);
  expect(imported.code, imported.stderr).toBe(0);
});

afterAll(async () => {
  await ui?.close();
});

/** A tiny NAS-Bench-201 search: 1 epoch, batch 8, C = 4, 8 images per class. */
/**
 * A quick search: a few seconds of training, then the test split. Big enough that the work, not the job's start-up
 * (a constant of the estimate, and shorter in a warm `serve`), decides how long it takes.
 */
async function tinyConfig(): Promise<void> {
  await pickCard(page, 'search-space-nb201');
  await page.getByTestId('search-epochs').fill('2');
  await page.getByTestId('search-batch').fill('8');
  await page.getByTestId('search-channels').fill('4');
  await page.getByTestId('search-cells').fill('1');
  await page.getByTestId('search-limit').fill('40');
}

let tinyEstimate = 0;

/** Opens the evaluation or compression form (`route`, its test ids start with `prefix`) on the tiny CNN baseline. */
async function tinyCnnBaseline(route: 'evaluate' | 'compression', prefix: 'evaluate' | 'compress'): Promise<void> {
  await page.goto(`${ui.serve.url}#/${route}`);
  await page.getByTestId(`${prefix}-form`).waitFor();
  await pickCard(page, `${prefix}-source-baseline`);
  await pickCard(page, `${prefix}-baseline-cnn`);
  await page.getByTestId(`${prefix}-preset`).selectOption('tiny');
}

describe('Cost before Start', () => {
  it("shows a search's cost before Start", async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-form').waitFor();
    // the newest settings are timed: the defaults' calibration (if it started) stops at its next step
    await tinyConfig();
    tinyEstimate = await estimateAfter(null);
    expect(await page.getByTestId('search-cost-time').textContent()).toMatch(/^about \d+ (s|min)$/);
    // 2 epochs x 200 train_w images (20 per class), then the sample's 2,000 test images
    expect(await page.getByTestId('search-cost-images').textContent()).toBe('2,400 images processed');
    expect(await page.getByTestId('search-cost-disk').textContent()).toMatch(/^about [\d.]+ [KM]B on disk$/);
    expect(await page.getByTestId('search-start').isEnabled()).toBe(true);
  }, 300_000);

  it('warns above 30 minutes and offers a quick look that says what it changes', async () => {
    // the same network over all 8,000 training images for 500 epochs: its timing is known, the estimate is at once
    await page.getByTestId('search-epochs').fill('500');
    await page.getByTestId('search-limit').fill('');
    const seconds = await estimateAfter(String(tinyEstimate), 30_000);
    expect(seconds).toBeGreaterThan(30 * 60);
    expect(await page.getByTestId('search-cost-time').textContent()).toMatch(/^about \d+ h( \d+ min)?$/);
    await page.getByTestId('search-cost-warning').waitFor();
    await shots('warning');

    await page.getByTestId('search-quick-look').click();
    expect(await page.getByTestId('search-epochs').inputValue()).toBe('3');
    const quick = await estimateAfter(String(seconds), 30_000);
    // about 2 minutes on an idle machine; a busy one is slower per step (the 2,000 test images are not cut)
    expect(quick).toBeLessThan(seconds / 20);
    expect(await page.getByTestId('search-quick-look-note').textContent()).toMatch(
      /epochs 500 → 3, images per class all → \d+/,
    );
    if (quick <= 2 * 60) expect(await page.getByTestId('search-cost-warning').count()).toBe(0);
    await shots('quick-look');
  }, 120_000);

  it("a tiny search's actual time is within 2x of its estimate", async () => {
    const before = await page.getByTestId('search-cost').getAttribute('data-seconds');
    await tinyConfig();
    const estimate = await estimateAfter(before, 30_000);
    expect(estimate).toBe(tinyEstimate); // the answer seen before, at once
    await page.getByTestId('search-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    const id = Number(/#\/search\/(\d+)$/.exec(page.url())?.[1]);
    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 400_000 });
    const r = await runCli(['jobs', 'show', String(id), '--json'], ui.dataDir);
    expect(r.code, r.stderr).toBe(0);
    const job = (JSON.parse(r.stdout) as { job: JobSummary }).job;
    const actual = (job.endedAt! - job.startedAt!) / 1000;
    const says = `estimate ${estimate.toFixed(1)} s, actual ${actual.toFixed(1)} s`;
    expect(actual / estimate, says).toBeGreaterThan(0.5);
    expect(actual / estimate, says).toBeLessThan(2);
    expect(problems).toEqual([]);
  }, 480_000);
});

describe('Cost before Start on the other forms', () => {
  it("the autoencoder form: its defaults' cost, and a quick look of fewer epochs when they are long", async () => {
    await page.goto(`${ui.serve.url}#/autoencoder`);
    await page.getByTestId('ae-form').waitFor();
    const seconds = await estimateAfter(null, 120_000, 'ae');
    expect(await page.getByTestId('ae-cost-time').textContent()).toMatch(/^about \d+ (s|min|h)/);
    // 30 epochs x 8,000; 2,048 for the batch-norm statistics, 10,000 embedded, 2,000 reconstructed
    expect(await page.getByTestId('ae-cost-images').textContent()).toBe('254,048 images processed');
    expect(await page.getByTestId('ae-start').isEnabled()).toBe(true);
    await shots('autoencoder', 'ae');
    if (seconds > 30 * 60) {
      // the autoencoder's own advice: it has no channels or cells to lower
      expect(await page.getByTestId('ae-cost-warning').textContent()).not.toMatch(/channels or cells/);
      await page.getByTestId('ae-quick-look').click();
      expect(Number(await page.getByTestId('ae-epochs').inputValue())).toBeLessThan(30);
      expect(await page.getByTestId('ae-quick-look-note').textContent()).toMatch(/epochs 30 → \d+/);
    } else expect(await page.getByTestId('ae-cost-warning').count()).toBe(0);
  }, 180_000);

  it('the evaluation form: a tiny baseline', async () => {
    await tinyCnnBaseline('evaluate', 'evaluate');
    await page.getByTestId('evaluate-epochs').fill('1');
    await page.getByTestId('evaluate-batch').fill('16');
    await page.getByTestId('evaluate-limit').fill('20');
    await estimateAfter(null, 120_000, 'evaluate');
    // 200 images: 12 batches of 16; then the 2,000 test images
    expect(await page.getByTestId('evaluate-cost-images').textContent()).toBe('2,192 images processed');
    expect(await page.getByTestId('evaluate-cost-disk').textContent()).toMatch(/^about [\d.]+ [KM]B on disk$/);
  }, 180_000);

  it('the compression form: the grid encoded, a tiny baseline trained, its tests', async () => {
    await tinyCnnBaseline('compression', 'compress');
    // the thesis' 6 qualities x 10,000 images (grey: one subsampling); 5 epochs x 8,000; 5 + 1 + 6 tests of 2,000
    await costShown('compress', '124,000', 'compression');
    expect(problems).toEqual([]);
  }, 180_000);

  it('the NASWOT form: its default ranking, scored without training', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await pickCard(page, 'search-method-naswot');
    await page.getByTestId('naswot-form').waitFor();
    // 1,000 cells x 3 mini-batches of 32
    await costShown('naswot', '96,000', 'naswot');
  }, 180_000);

  it('the DSM-NAS form: a small search, the supernet and its evaluations', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await pickCard(page, 'search-method-dsm');
    await page.getByTestId('dsm-form').waitFor();
    for (const [field, value] of [
      ['iterations', '6'],
      ['subspaces', '3'],
      ['calibration-batches', '1'],
      ['limit-per-class', '8'],
    ] as const)
      await page.getByTestId(`dsm-${field}`).fill(value);
    // 4 per class per half: 40 train_w images (under one batch of 64) x 5 epochs; (3 + 6) cells x (40 + 40)
    await costShown('dsm', '920', 'dsm');
    expect(problems).toEqual([]);
  }, 180_000);
});
