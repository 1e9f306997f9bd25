/**
 * The Autoencoder page in chromium against `winnow serve`: with the MNIST sample imported (by the CLI, into the
 * serve's data folder), train a short autoencoder from the UI (1 epoch, batch 64), watch its progress and loss
 * curve, land on its results (metric table, latent map drawn, reconstructions decoded), build the untrained
 * ablation on JPEG-compressed images, compare the two side by side, and delete one after confirmation.
 * Screenshots go to test-results/e2e-autoencoder-*.png.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SHOTS,
  decodedImages,
  openEmptyJobPage,
  tallShot,
  waitForDecodedImages,
  expectLayoutHolds,
  uiSuite,
  backToList,
} from '../helpers/ui.js';

let trainedId = 0;
let untrainedId = 0;

/** How many pixels of each matching canvas chart.js has painted (alpha > 0). */
const paintedPixels = (selector: string) =>
  page.evaluate((sel) => {
    return [...document.querySelectorAll<HTMLCanvasElement>(sel)].map((c) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted;
    });
  }, selector);

const idFromUrl = () => Number(/#\/autoencoder\/(\d+)$/.exec(page.url())?.[1] ?? NaN);

const { ui, page } = uiSuite();

describe('Autoencoder page', () => {
  it('offers the train form with the sample dataset and the mnist-like preset', async () => {
    await openEmptyJobPage(ui, 'autoencoder', 'ae');
    expect(await page.getByTestId('ae-dataset').locator('option:checked').textContent()).toMatch(/MNIST sample/);
    // 1-channel dataset: the contractive preset with N = 8 (DDS-NAS Table 1)
    expect(await page.getByTestId('ae-preset-mnist-like').isChecked()).toBe(true);
    expect(await page.getByTestId('ae-dim').inputValue()).toBe('8');
    expect(await page.getByTestId('ae-epochs').inputValue()).toBe('30');
    expect(await page.getByTestId('ae-batch').inputValue()).toBe('8');
    expect(await page.getByTestId('ae-preset-about').textContent()).toMatch(/Contractive/);
    await expectLayoutHolds(page, 'e2e-autoencoder-form');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-autoencoder-form.png') });
  });

  it('trains a short autoencoder with live progress and a loss curve', async () => {
    await page.getByTestId('ae-epochs').fill('1');
    await page.getByTestId('ae-batch').fill('64');
    await page.getByTestId('ae-start').click();
    const status = page.getByTestId('ae-train-status');
    await status.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('ae-cancel').isVisible()).toBe(true);
    await page.locator('[data-testid="ae-train-status"][data-state="running"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('ae-progress').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'e2e-autoencoder-training.png') });

    // The epoch's losses arrive as pushes; the chart draws them (live, or on the results once the job is done).
    await page.locator('[data-testid="ae-loss-chart"]:not([data-points="0"])').first().waitFor({ timeout: 120_000 });
    if (await status.isVisible()) await page.screenshot({ path: path.join(SHOTS, 'e2e-autoencoder-curve.png') });
  });

  it('opens the results: metric table, latent map, reconstructions, curves, settings', async () => {
    const details = page.getByTestId('ae-details');
    await details.waitFor({ timeout: 120_000 });
    await page.waitForURL(/#\/autoencoder\/\d+$/);
    trainedId = idFromUrl();
    expect(trainedId).toBeGreaterThan(0);

    const metrics = page.getByTestId('ae-metrics');
    await metrics.waitFor();
    expect(await metrics.locator('tbody tr').count()).toBe(6); // k-NN (all, test), silhouette, PSNR, SSIM, time
    const text = (await metrics.textContent()) ?? '';
    expect(text).toMatch(/k-NN agreement/);
    expect(text).toMatch(/\d+\.\d %/);
    expect(text).toMatch(/\d+\.\d+ dB/);

    // the map: 2,000 points (or fewer) drawn by chart.js
    const map = page.getByTestId('ae-map');
    await map.waitFor();
    expect(Number(await map.getAttribute('data-points'))).toBeGreaterThan(100);
    await page.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="ae-map"]');
      const ctx = c?.getContext('2d');
      if (!c || !ctx || c.width === 0) return false;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n > 2000;
    });

    await page.getByTestId('ae-reconstructions').scrollIntoViewIfNeeded();
    await waitForDecodedImages(page, '[data-testid="ae-reconstructions"] img', 16);
    expect(await decodedImages(page, '[data-testid="ae-details"] [data-testid="ae-reconstructions"] img')).toBe(32);

    const curve = page.locator('[data-testid="ae-details"] [data-testid="ae-loss-chart"]');
    expect(Number(await curve.getAttribute('data-points'))).toBeGreaterThan(0);
    // innerText: the text as rendered (a template's line breaks fold into one space)
    expect(await page.getByTestId('ae-settings').innerText()).toMatch(/1 epoch, batch 64/);
    expect(await page.getByTestId('ae-job-link').getAttribute('href')).toMatch(/^#\/runs\/\d+$/);
    await expectLayoutHolds(page, 'e2e-autoencoder-details');
    await tallShot(page, 'e2e-autoencoder-details.png', 2200);
  });

  it('builds the untrained ablation from the form, on JPEG-compressed images', async () => {
    await backToList(page, 'ae-back', 'autoencoder');
    await page.getByTestId('ae-table').waitFor();
    await page.getByTestId('ae-untrained').check();
    expect(await page.getByTestId('ae-epochs').isDisabled()).toBe(true);
    // the JPEG stage: subsampling only with a quality; a quality out of range is refused by name
    expect(await page.getByTestId('ae-jpeg-subsampling').isDisabled()).toBe(true);
    await page.getByTestId('ae-jpeg-quality').fill('101');
    await page.getByTestId('ae-start').click();
    expect(await page.getByTestId('ae-form-problem').textContent()).toMatch(
      /JPEG quality: a whole number from 1 to 100/,
    );
    await page.getByTestId('ae-jpeg-quality').fill('30');
    expect(await page.getByTestId('ae-jpeg-subsampling').isDisabled()).toBe(false);
    await page.getByTestId('ae-start').click();
    await page.waitForURL(
      (url) => {
        const m = /^#\/autoencoder\/(\d+)$/.exec(url.hash);
        return m !== null && Number(m[1]) !== trainedId;
      },
      { timeout: 120_000 },
    );
    untrainedId = idFromUrl();
    await page.getByTestId('ae-metrics').waitFor();
    expect(await page.getByTestId('ae-settings').textContent()).toMatch(/random weights/);
    expect(await page.getByTestId('ae-images').textContent()).toBe('JPEG quality 30, 4:2:0');
  });

  it('compares trained and untrained side by side', async () => {
    await page.getByTestId('ae-back').click();
    await page.getByTestId('ae-table').waitFor();
    expect(await page.locator('[data-testid^="ae-row-"]').count()).toBe(2);
    await page.getByTestId(`ae-pick-${trainedId}`).check();
    await page.getByTestId(`ae-pick-${untrainedId}`).check();
    await page.getByTestId('ae-compare-open').click();
    await page.waitForURL(new RegExp(`#/autoencoder/compare/${trainedId}/${untrainedId}$`));

    const compare = page.getByTestId('ae-compare');
    await compare.waitFor();
    await page.getByTestId('ae-compare-verdict').waitFor({ timeout: 15_000 });
    expect(await compare.getByTestId('ae-metrics').count()).toBe(2);
    expect(await compare.getByTestId('ae-map').count()).toBe(2);
    // the trained one clusters better than random weights: its k-NN agreement is the highlighted one
    const knnBetter = page.locator(
      '[data-testid="ae-compare-a"] tr[data-metric="knnAgreement"] [data-testid="better-mark"]',
    );
    expect(await knnBetter.count()).toBe(1);
    expect(await page.locator('[data-testid="ae-compare"] [data-testid="better-mark"]').count()).toBeGreaterThanOrEqual(
      2,
    );
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="ae-compare"] [data-testid="ae-reconstructions"] img').length >= 32,
      null,
      { timeout: 20_000 },
    );
    const painted = await paintedPixels('[data-testid="ae-compare"] [data-testid="ae-map"]');
    expect(painted.every((n) => n > 1000)).toBe(true);
    await expectLayoutHolds(page, 'e2e-autoencoder-compare');
    await tallShot(page, 'e2e-autoencoder-compare.png', 1700);
  });

  it('deletes an autoencoder after confirmation', async () => {
    await page.goto(`${ui.serve.url}#/autoencoder/${untrainedId}`);
    await page.getByTestId('ae-details').waitFor();
    await page.getByTestId('ae-delete').click();
    await page.getByTestId('ae-delete-confirm').click();
    await page.waitForURL(/#\/autoencoder$/);
    await page.getByTestId('ae-table').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="ae-row-"]').length === 1);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-autoencoder-list.png') });
  });

  it('ran without console errors or CSP violations', () => {
    expect(ui.problems).toEqual([]);
  });
});
