/**
 * The Compression page in chromium against `winnow serve`: with two procedural chroma datasets imported by the CLI
 * (16 px for the study, 32 px with a stored model that therefore does not fit), check the form (the model that does
 * not fit and why, the thesis' qualities, a typed quality refused, the plan of trainings); run a small study from
 * the UI (a tiny baseline CNN trained first, qualities 95 and 5 at 4:2:0 and 4:4:4, test and retrain); watch the
 * grid fill in; see the charts, the table and the image viewer (4:2:0 beside 4:4:4, difference heat maps, zoom);
 * download the CSV and a chart as PNG and SVG; open the study from Runs. Screenshots go to
 * test-results/e2e-compression-*.png.
 */
import { describe, expect, it } from 'vitest';
import { importWithCli, runCliJson } from '../helpers/cli-data.js';
import { TINY_CNN, flags } from '../helpers/cli.js';
import { modelFolder } from '../helpers/model-folder.js';
import { modelReport } from '../helpers/models.js';
import {
  download,
  openEmptyJobPage,
  openUi,
  pickCard,
  tallShot,
  VIEWPORT,
  expectLayoutHolds,
  SMALL_VIEWPORT,
  uiSuite,
} from '../helpers/ui.js';

let studyId = 0;
let smallId = 0;
let bigModelId = 0;

const { ui, page } = uiSuite(
  () => openUi(VIEWPORT),
  async () => {
    const chroma = (n: number, size: number, name: string) =>
      importWithCli(ui.dataDir, ['dataset', 'synth', 'chroma', ...flags({ n, size, name })]);
    smallId = await chroma(600, 16, 'Chroma 16');
    const bigId = await chroma(120, 32, 'Chroma 32');
    // a stored model of 32x32 images: it cannot be studied on the 16x16 dataset
    const ev = await runCliJson<{ modelId: number }>(
      ['evaluate', ...flags({ dataset: bigId, ...TINY_CNN })],
      ui.dataDir,
      120_000,
    );
    bigModelId = ev.modelId;
  },
  180_000,
);

describe('Compression page', () => {
  it('offers the form: fitting models, the grid, the protocols and what they will train', async () => {
    await openEmptyJobPage(ui, 'compression', 'compress');
    await page.getByTestId('compress-dataset').selectOption(String(smallId));
    expect(await page.getByTestId('compress-dataset-facts').textContent()).toMatch(/6 classes/);
    // the only stored model takes 32x32 images: none fits, and the form says why
    await page.getByTestId('compress-no-model').waitFor();
    await page.getByTestId('compress-models-unavailable').click();
    expect(await page.getByTestId(`compress-model-unavailable-${bigModelId}`).textContent()).toMatch(
      /takes 32×32×3 images; Chroma 16 holds 16×16×3/,
    );
    await pickCard(page, 'compress-source-baseline');
    await pickCard(page, 'compress-baseline-cnn');
    await page.getByTestId('compress-preset').selectOption('tiny');

    // the thesis' qualities are on; keep 95 and 5
    for (const q of [5, 10, 15, 50, 75, 95])
      expect(await page.getByTestId(`compress-quality-${q}`).getAttribute('aria-pressed')).toBe('true');
    for (const q of [10, 15, 50, 75]) await page.getByTestId(`compress-quality-${q}`).click();
    for (const q of [10, 15, 50, 75])
      expect(await page.getByTestId(`compress-quality-${q}`).getAttribute('aria-pressed')).toBe('false');
    // a typed quality outside 1..100 is refused with a message
    await page.getByTestId('compress-quality-text').fill('150');
    expect(await page.getByTestId('compress-quality-note').textContent()).toMatch(/100/);
    await page.getByTestId('compress-quality-text').fill('');

    expect(await page.getByTestId('compress-subsampling-420').isChecked()).toBe(true);
    expect(await page.getByTestId('compress-subsampling-444').isChecked()).toBe(true);
    await page.getByTestId('compress-protocol-retrain').check();
    await page.getByTestId('compress-epochs').fill('2');
    // 2 qualities x 2 subsamplings x 2 protocols = 8 rows; the baseline plus 4 retrainings
    const plan = page.getByTestId('compress-plan');
    await expect.poll(async () => plan.getAttribute('data-rows')).toBe('8');
    expect(await plan.getAttribute('data-trainings')).toBe('5');
    await expectLayoutHolds(page, 'e2e-compression-form');
    await tallShot(page, 'e2e-compression-form.png', 2400);
  });

  it('runs the study from the UI and fills the grid, the charts, the table and the viewer', async () => {
    await page.getByTestId('compress-start').click();
    await page.waitForURL((url) => /^#\/compression\/\d+$/.test(url.hash), { timeout: 15_000 });
    studyId = Number(/#\/compression\/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('compress-view').waitFor();
    const grid = page.getByTestId('compress-grid');
    await grid.waitFor();
    expect(await grid.getAttribute('data-total')).toBe('8');
    await page.locator('[data-testid="compress-grid"][data-done="8"]').waitFor({ timeout: 180_000 });
    for (const cell of ['q95-420', 'q95-444', 'q5-420', 'q5-444'])
      expect(await page.getByTestId(`compress-cell-${cell}`).getAttribute('data-state')).toBe('done');

    // results: the reference accuracy, four charts with their series, the table
    await page.getByTestId('compress-reference-accuracy').waitFor();
    expect(await page.getByTestId('compress-reference-accuracy').textContent()).toMatch(/\d+(\.\d)?\s?%/);
    const quality = page.getByTestId('compress-chart-quality');
    // test and retrain at 4:2:0 and 4:4:4, two qualities each
    expect(Number(await quality.getAttribute('data-series'))).toBeGreaterThanOrEqual(4);
    expect(Number(await page.getByTestId('compress-chart-rate').getAttribute('data-points'))).toBeGreaterThanOrEqual(8);
    expect(Number(await page.getByTestId('compress-chart-groups').getAttribute('data-series'))).toBeGreaterThanOrEqual(
      3,
    ); // groups A, B, C
    // the chart controls: the rate axis's scale, and which protocol the group chart shows
    const scale = page.getByTestId('compress-rate-scale');
    expect(await scale.locator('option').allTextContents()).toEqual(['log', 'linear']);
    await scale.selectOption('linear');
    expect(await scale.inputValue()).toBe('linear');
    const protocol = page.getByTestId('compress-groups-protocol');
    const protocols = await protocol
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(protocols.length).toBeGreaterThanOrEqual(2);
    await protocol.selectOption(protocols[1]!);
    await expect.poll(() => protocol.inputValue()).toBe(protocols[1]);
    expect(Number(await page.getByTestId('compress-chart-bias').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('compress-table').getAttribute('data-rows')).toBe('8');
    await page.getByTestId('compress-table-reference').waitFor();
    expect(await page.getByTestId('compress-table-row-retrain-q5-444').textContent()).toMatch(/%/);
    // every accuracy point carries its 95% interval: a bar on the chart, "±" in the table
    expect(Number(await page.getByTestId('compress-chart-quality-figure').getAttribute('data-intervals'))).toBe(8);
    expect(
      await page.getByTestId('compress-table-row-test-q95-420').getByTestId('compress-table-pm').textContent(),
    ).toMatch(/±\d+\.\d/);

    // the viewer: each image at both qualities, 4:2:0 above 4:4:4, then the difference heat maps, zoomed
    const viewer = page.getByTestId('compress-viewer');
    await viewer.locator('article.image').first().waitFor({ timeout: 30_000 });
    const first = viewer.locator('article.image').first();
    const index = Number((await first.getAttribute('data-testid'))!.replace('compress-viewer-image-', ''));
    for (const key of ['q95-420', 'q5-420', 'q95-444', 'q5-444']) {
      const img = page.getByTestId(`compress-viewer-img-${index}-${key}`);
      await expect.poll(async () => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(16);
    }
    await page.getByTestId('compress-viewer-row-420').first().waitFor();
    await page.getByTestId('compress-viewer-row-444').first().waitFor();
    const decodedSrc = await page.getByTestId(`compress-viewer-img-${index}-q5-420`).getAttribute('src');
    await page.getByTestId('compress-viewer-mode-diff').click();
    expect(await viewer.getAttribute('data-mode')).toBe('diff');
    await expect
      .poll(async () => page.getByTestId(`compress-viewer-img-${index}-q5-420`).getAttribute('src'))
      .not.toBe(decodedSrc);
    await page.getByTestId('compress-zoom-4').click();
    expect(await viewer.getAttribute('data-zoom')).toBe('4');
    expect(await page.getByTestId('compress-viewer-psnr').first().textContent()).toMatch(/dB/);
    await expectLayoutHolds(page, 'e2e-compression-study');
    await tallShot(page, 'e2e-compression-study.png', 3600);
  });

  it('exports the table as CSV and a chart as PNG and SVG', async () => {
    const csv = await download(page, 'compress-export-csv');
    expect(csv.download.suggestedFilename()).toMatch(/\.csv$/);
    const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(10); // header, the original, 8 rows
    expect(lines[0]).toMatch(/^protocol,quality,subsampling,accuracy,/);
    const svg = await download(page, 'compress-chart-quality-export-svg');
    expect(svg.download.suggestedFilename()).toMatch(/\.svg$/);
    expect(svg.bytes.toString('utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
    const png = await download(page, 'compress-chart-quality-export-png');
    expect(png.download.suggestedFilename()).toMatch(/\.png$/);
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('lists the study, and Runs opens it in the Compression page', async () => {
    await page.goto(`${ui.serve.url}#/compression`);
    const row = page.getByTestId(`compress-row-${studyId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('done');
    await page.goto(`${ui.serve.url}#/runs/${studyId}`);
    await page.getByTestId('job-view-compress').waitFor();
    await expectLayoutHolds(page, 'e2e-compression-runs');
    // at 1024 px the kind column shows "Compression study" whole: wrapped, not cut short
    await page.setViewportSize(SMALL_VIEWPORT);
    const kind = page.getByTestId(`run-row-${studyId}`).locator('td.c-kind');
    expect(await kind.textContent()).toBe('Compression study');
    expect(await kind.evaluate((td) => td.scrollWidth - td.clientWidth)).toBeLessThanOrEqual(1);
    await page.setViewportSize(VIEWPORT);
    await page.getByTestId('job-view-compress').click();
    await page.waitForURL((url) => url.hash === `#/compression/${studyId}`);
    await page.getByTestId('compress-view').waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('shows a stored model that answers one class as meaningless; Start waits for "use it anyway"', async () => {
    // a model of the study's dataset whose test report answers class 1 for every image (written by hand: the
    // form reads the report, it never runs the model)
    const d = await runCliJson<{ classNames: string[] }>(['dataset', 'show', String(smallId)], ui.dataDir);
    const classes = d.classNames.length;
    const confusion = d.classNames.map(() => d.classNames.map((_, j) => (j === 0 ? 10 : 0)));
    const report = modelReport({
      name: 'one-class model',
      classNames: d.classNames,
      preprocessing: { height: 16, width: 16, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      test: {
        images: 10 * classes,
        loss: 1.8,
        accuracy: 1 / classes,
        perClass: d.classNames.map((name, label) => ({
          label,
          name,
          correct: label === 0 ? 10 : 0,
          total: 10,
          accuracy: label === 0 ? 1 : 0,
        })),
        confusion,
        perGroup: null,
        groupStd: null,
      },
    });
    const model = await runCliJson<{ id: number }>(['model', 'import', modelFolder({ report })], ui.dataDir);
    await page.goto(`${ui.serve.url}#/compression`);
    await page.reload();
    await page.getByTestId('compress-dataset').selectOption(String(smallId));
    await pickCard(page, 'compress-source-model');
    await page.getByTestId('compress-model').selectOption(String(model.id));
    const note = page.getByTestId('compress-model-notes-one-class');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/answers one class for almost every image: 100\.0 %/);
    expect(await page.getByTestId('compress-model-notes-chance-level').textContent()).toMatch(/at chance level/);
    const start = page.getByTestId('compress-start');
    expect(await start.isDisabled()).toBe(true);
    await page.getByTestId('compress-model-blocked').waitFor();
    await page.getByTestId('compress-model-anyway').check();
    await expect.poll(async () => start.isDisabled()).toBe(false);
    await page.getByTestId('compress-model-anyway').uncheck();
    await expect.poll(async () => start.isDisabled()).toBe(true);
    await tallShot(page, 'e2e-compression-meaningless-model.png', 1400);
    expect(ui.problems).toEqual([]);
  });
});
