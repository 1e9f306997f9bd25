/**
 * The Evaluate page in chromium against `winnow serve`: with the MNIST sample imported (by the CLI, into the
 * serve's data folder), check the form (sources, preset, the network it describes, what auto augmentation means
 * for grey digits), that a genotype the form cannot read and one the API refuses both show why in the form; then
 * evaluate a pasted tiny DARTS genotype from the UI (preset tiny, 2 epochs, 20 images per class, batch 16) and
 * watch the curves fill in, see the results (accuracy, parameters, multiply-adds, a 10 × 10 confusion matrix,
 * per-class bars, the cells), download model.json / weights.bin / report.json and import that folder back as a
 * model; evaluate the plain CNN baseline and the cell of a finished NAS-Bench-201 search (run by the CLI first) the
 * same way; compare them in the runs table (with the search's cost), open one from Runs ("View in Evaluate"), and
 * delete the imported model. Screenshots go to test-results/e2e-evaluate-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli-data.js';
import { flags, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import {
  download,
  openEmptyJobPage,
  openUiWithSample,
  pickCard,
  SHOTS,
  shotsAtWidths,
  tallShot,
  expectLayoutHolds,
  uiSuite,
} from '../helpers/ui.js';

let exported: { dir: string; cleanup: () => void };
let dartsId = 0;
let cnnId = 0;
let searchEvalId = 0;
let searchJobId = 0;

const TINY_DARTS =
  "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 0), ('max_pool_3x3', 1), " +
  "('skip_connect', 0), ('dil_conv_3x3', 2), ('avg_pool_3x3', 1), ('skip_connect', 2)], normal_concat=range(2, 6), " +
  "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), " +
  "('skip_connect', 2), ('avg_pool_3x3', 0), ('skip_connect', 3), ('max_pool_3x3', 0)], reduce_concat=range(2, 6))";

const NB201 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

const idFromUrl = () => Number(/#\/evaluate\/(\d+)$/.exec(page.url())?.[1] ?? NaN);

/** Preset tiny, `epochs` epochs, batch 16, 20 images per class, the original images unless a JPEG quality is given. */
async function quickConfig(epochs: number, jpegQuality = ''): Promise<void> {
  await page.getByTestId('evaluate-preset').selectOption('tiny');
  await page.getByTestId('evaluate-epochs').fill(String(epochs));
  await page.getByTestId('evaluate-batch').fill('16');
  await page.getByTestId('evaluate-limit').fill('20');
  await page.getByTestId('evaluate-jpeg-quality').fill(jpegQuality);
}

/** Starts the configured evaluation and waits for its view; returns its job id. */
async function startAndOpen(previous: number[]): Promise<number> {
  await page.getByTestId('evaluate-start').click();
  await page.waitForURL((url) => /^#\/evaluate\/\d+$/.test(url.hash) && !previous.includes(idFromUrl()), {
    timeout: 15_000,
  });
  await page.getByTestId('evaluate-view').waitFor();
  return idFromUrl();
}

const { ui, page } = uiSuite(openUiWithSample, async () => {
  exported = tempDir('winnow-e2e-model-');
  // a finished search to evaluate the cell of: one NAS-Bench-201 epoch on 4 images per class takes seconds
  const search = await runCliJson<{ jobId: number }>(
    ['search', ...flags({ dataset: 1, space: 'nb201', epochs: 1, batch: 8, channels: 4, cells: 1, limitPerClass: 4 })],
    ui.dataDir,
  );
  searchJobId = search.jobId;
  expect(searchJobId).toBeGreaterThan(0);
});

afterAll(() => {
  exported?.cleanup();
});

describe('Evaluate page', () => {
  it('offers the form: sources, preset, the network it describes', async () => {
    await openEmptyJobPage(ui, 'evaluate', 'evaluate');
    await page.getByTestId('models-empty').waitFor();
    expect(await page.getByTestId('evaluate-dataset').locator('option:checked').textContent()).toMatch(/MNIST sample/);
    expect(await page.getByTestId('evaluate-dataset-facts').textContent()).toMatch(
      /10 classes; trains on the 8,000 training images/,
    );
    // the finished search is offered first, with its genotype and the network its space builds
    expect(await page.getByTestId('evaluate-source-search').isChecked()).toBe(true);
    expect(await page.getByTestId('evaluate-search').inputValue()).toBe(String(searchJobId));
    expect(await page.getByTestId('evaluate-search').locator('option:checked').textContent()).toMatch(
      new RegExp(`#${searchJobId} · nb201 · MNIST sample`),
    );
    expect(await page.getByTestId('evaluate-search-genotype').textContent()).toMatch(/^\|\w+~0\|\+/);
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(
      /NAS-Bench-201 network: C = 16, 1 cell per stage/,
    );
    expect(await page.getByTestId('evaluate-layers').count()).toBe(1);
    expect(await page.getByTestId('evaluate-auxiliary').count()).toBe(0); // DARTS only
    // grey digits: auto augmentation is off
    expect(await page.getByTestId('evaluate-augment').inputValue()).toBe('auto');
    expect(await page.getByTestId('evaluate-augment-note').textContent()).toMatch(
      /Auto: off for this greyscale dataset/,
    );

    await pickCard(page, 'evaluate-source-baseline');
    await pickCard(page, 'evaluate-baseline-resnet20');
    await page.getByTestId('evaluate-preset').selectOption('small');
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(/ResNet-20: width 16 \(the preset’s\)/);
    expect(await page.getByTestId('evaluate-layers').count()).toBe(0); // a baseline's depth is fixed

    await pickCard(page, 'evaluate-source-genotype');
    expect(await page.getByTestId('evaluate-genotype-reading').getAttribute('data-state')).toBe('empty');
    // a genotype file is read into the text box, in the browser
    await page
      .getByTestId('evaluate-genotype-file')
      .setInputFiles({ name: 'cell.txt', mimeType: 'text/plain', buffer: Buffer.from(`${NB201}\n`) });
    await page.locator('[data-testid="evaluate-genotype-file-note"]', { hasText: 'Loaded cell.txt.' }).waitFor();
    expect((await page.getByLabel('Genotype', { exact: true }).inputValue()).trim()).toBe(NB201);
    expect(await page.getByTestId('evaluate-genotype-reading').textContent()).toMatch(/A NAS-Bench-201 cell/);
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(
      /NAS-Bench-201 network: C = 16, 1 cell per stage/,
    );
    await page.getByLabel('Genotype', { exact: true }).fill(TINY_DARTS);
    await page.locator('[data-testid="evaluate-genotype-reading"][data-state="ok"]').waitFor();
    expect(await page.getByTestId('evaluate-genotype-reading').textContent()).toMatch(/A DARTS genotype/);
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(
      /DARTS network: C = 16, 5 cells \(the preset’s\)/,
    );
    await page.getByTestId('evaluate-preset').selectOption('darts-paper');
    expect(await page.getByTestId('evaluate-preset-explain').textContent()).toMatch(/DARTS paper/);
    // a preset that reproduces a paper brings its recipe: DARTS' train.py trains 600 epochs of batch 96
    expect(await page.getByTestId('evaluate-epochs').inputValue()).toBe('600');
    expect(await page.getByTestId('evaluate-batch').inputValue()).toBe('96');
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(
      /C = 36, 20 cells, auxiliary head, drop-path 0.2/,
    );
    expect(await page.getByTestId('evaluate-auxiliary').isChecked()).toBe(true);
    // an override shows at once and goes back to the preset's
    await page.getByTestId('evaluate-layers').fill('8');
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(/C = 36, 8 cells, auxiliary head/);
    await page.getByTestId('evaluate-size-reset').click();
    expect(await page.getByTestId('evaluate-layers').inputValue()).toBe('');
    // the pasted cells can be drawn before anything starts
    await page.getByTestId('evaluate-genotype-preview').locator('summary').click();
    await page.locator('[data-testid="evaluate-genotype-preview"] [data-testid="cell-graph-reduce"] svg').waitFor();
    await expectLayoutHolds(page, 'e2e-evaluate-form');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-evaluate-form.png') });
  });

  it('shows why a genotype cannot be evaluated, in the form, before anything starts', async () => {
    // the form reads the genotype itself: nothing is sent
    await page.getByLabel('Genotype', { exact: true }).fill("Genotype(normal=[('sep_conv_9x9', 0)])");
    await page.locator('[data-testid="evaluate-genotype-reading"][data-state="error"]').waitFor();
    expect(await page.getByTestId('evaluate-genotype-reading').textContent()).toMatch(/Cannot read it: .*sep_conv_9x9/);
    await page.getByTestId('evaluate-start').click();
    expect(await page.getByTestId('evaluate-form-problem').textContent()).toMatch(
      /The genotype cannot be read: .*sep_conv_9x9/,
    );
    expect(page.url()).toMatch(/#\/evaluate$/);

    // a JSON document the form takes but the API refuses (it is not a genotype.json Winnow wrote)
    const before = ui.problems.length;
    await page.getByLabel('Genotype', { exact: true }).fill(JSON.stringify({ text: TINY_DARTS }));
    await page.locator('[data-testid="evaluate-genotype-reading"][data-state="ok"]').waitFor();
    await page.getByTestId('evaluate-start').click();
    await page.locator('[data-testid="evaluate-form-problem"]', { hasText: /genotype/i }).waitFor({ timeout: 15_000 });
    // said once, beside the form's Start: not in the page's banner as well
    expect(await page.getByTestId('error-banner').count()).toBe(0);
    expect(await page.getByTestId('evaluate-form-problem').textContent()).toMatch(
      /The genotype cannot be read: not a winnow genotype document/,
    );
    expect(page.url()).toMatch(/#\/evaluate$/);
    // the refused call is logged (HTTP 400, and the form's error in the console): expected here, nothing else
    const logged = ui.problems.splice(before);
    expect(logged.length).toBeGreaterThan(0);
    for (const p of logged) expect(p).toMatch(/status of 400|Could not start the evaluation/);
  });

  it('evaluates a pasted tiny DARTS genotype live, then shows its results', async () => {
    await page.getByLabel('Genotype', { exact: true }).fill(TINY_DARTS);
    await quickConfig(2);
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(/DARTS network: C = 8, 3 cells/);
    dartsId = await startAndOpen([]);
    expect(dartsId).toBeGreaterThan(0);

    // the curves fill in as epochs end: train + test per chart
    await page.locator('[data-testid="evaluate-chart-loss"][data-points="2"]').waitFor({ timeout: 120_000 });
    if ((await page.getByTestId('evaluate-status').getAttribute('data-state')) === 'running') {
      expect(await page.getByTestId('evaluate-cancel').count()).toBe(1);
      await page.screenshot({ path: path.join(SHOTS, 'e2e-evaluate-live.png') });
    }
    await page.locator('[data-testid="evaluate-status"][data-state="done"]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="evaluate-chart-accuracy"][data-points="4"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-chart-seconds').getAttribute('data-points')).toBe('2');
    expect(await page.getByTestId('evaluate-cancel').count()).toBe(0);

    await page.getByTestId('evaluate-results').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-result-accuracy').textContent()).toMatch(/^\d{1,3}\.\d %$/);
    expect(await page.getByTestId('evaluate-result-params').textContent()).toMatch(/^\d[\d.]* M$/);
    expect(await page.getByTestId('evaluate-result-madds').textContent()).toMatch(/^\d[\d.]* M$/);
    expect(await page.getByTestId('evaluate-result-network').textContent()).toMatch(/DARTS network, C=8, 3 cells/);

    const matrix = page.getByTestId('evaluate-confusion');
    expect(await matrix.getAttribute('data-classes')).toBe('10');
    expect(await matrix.locator('tbody tr').count()).toBe(10);
    expect(await matrix.locator('tbody tr').first().locator('td.v').count()).toBe(10);
    expect(await matrix.locator('tbody th').first().textContent()).toBe('0');
    // counts on hover: every row sums to its class's test images, 2,000 in all
    const totals = (await matrix.locator('td.total').allTextContents()).map(Number);
    expect(totals.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(await matrix.locator('td.v').first().getAttribute('title')).toMatch(
      /^true 0, predicted 0: \d+ of \d+ \(\d+\.\d %\)$/,
    );

    const bars = page.getByTestId('evaluate-class-bars');
    expect(await bars.getAttribute('data-count')).toBe('10');
    expect(await page.getByTestId('evaluate-class-bars-row').count()).toBe(10);
    const cells = (await page.getByTestId('evaluate-class-bars-row').first().locator('th, td').allTextContents()).map(
      (t) => t.trim(),
    );
    expect(cells[0]).toBe('0');
    expect(cells[2]).toMatch(/^\d+\.\d %$/);
    expect(cells[3]).toMatch(/^\d+ \/ \d+$/);
    expect(await page.getByTestId('evaluate-groups').count()).toBe(0); // MNIST has no groups

    expect(await page.getByTestId('evaluate-genotype-text').textContent()).toMatch(
      /^Genotype\(normal=\[\('sep_conv_3x3', 0\)/,
    );
    await page.locator('[data-testid="evaluate-genotype-panel"] [data-testid="cell-graph-normal"] svg').waitFor();
    await page.locator('[data-testid="evaluate-genotype-panel"] [data-testid="cell-graph-reduce"] svg').waitFor();
    expect((await page.getByTestId('evaluate-settings').textContent())?.replace(/\s+/g, ' ')).toMatch(
      /pasted genotype: preset Tiny, 2 epochs, batch 16, .*≤ 20 images per class/,
    );
    await expectLayoutHolds(page, 'e2e-evaluate-done');
    await tallShot(page, 'e2e-evaluate-done.png', 2600);
  });

  it('downloads the model as one zip and as files, which import back as models', async () => {
    const model = await download(page, 'evaluate-download-model-json');
    expect(model.download.suggestedFilename()).toBe('model.json');
    const doc = JSON.parse(model.bytes.toString('utf8')) as {
      modelTopology: unknown;
      weightsManifest: { paths: string[]; weights: { shape: number[] }[] }[];
    };
    expect(doc.modelTopology).toBeTruthy();
    expect(doc.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const floats = doc.weightsManifest
      .flatMap((g) => g.weights)
      .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);

    const weights = await download(page, 'evaluate-download-weights-bin');
    expect(weights.download.suggestedFilename()).toBe('weights.bin');
    expect(weights.bytes.length).toBe(floats * 4); // float32, bytes as they are (base64 decoded)

    const report = await download(page, 'evaluate-download-report-json');
    expect(JSON.parse(report.bytes.toString('utf8'))).toMatchObject({ classNames: expect.any(Array) });
    const genotype = await download(page, 'evaluate-download-genotype-json');
    expect(JSON.parse(genotype.bytes.toString('utf8'))).toMatchObject({ genotype: { space: 'darts' } });
    await page.locator('[data-testid="evaluate-download-note"]', { hasText: /Saved genotype.json/ }).waitFor();

    const archive = await download(page, 'evaluate-download-archive');
    expect(archive.download.suggestedFilename()).toMatch(/\.winnow-model\.zip$/);
    expect(archive.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const zipFile = path.join(exported.dir, archive.download.suggestedFilename());
    fs.writeFileSync(zipFile, archive.bytes);

    fs.writeFileSync(path.join(exported.dir, 'model.json'), model.bytes);
    fs.writeFileSync(path.join(exported.dir, 'weights.bin'), weights.bytes);
    fs.writeFileSync(path.join(exported.dir, 'report.json'), report.bytes);

    await page.getByTestId('evaluate-back').click();
    await page.getByTestId('models-table').waitFor();
    await page.locator('[data-testid^="model-row-"][data-origin="evaluate"]').first().waitFor();
    for (const [source, name] of [
      [exported.dir, 'Round trip'],
      [zipFile, 'From zip'],
    ] as const) {
      await page.getByLabel('Model archive or folder path').fill(source);
      await page.getByLabel('Model name').fill(name);
      await page.getByTestId('model-import-start').click();
      await page
        .locator('[data-testid="models-note"]', { hasText: new RegExp(`Imported “${name}”`) })
        .waitFor({ timeout: 15_000 });
    }
    const rows = page.locator('[data-testid^="model-row-"][data-origin="import"]');
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/From zip.*imported/s),
      expect.stringMatching(/Round trip.*imported/s),
    ]);
  });

  it('evaluates the plain CNN baseline on JPEG-compressed images', async () => {
    await page.getByTestId('evaluate-form').waitFor();
    await pickCard(page, 'evaluate-source-baseline');
    await pickCard(page, 'evaluate-baseline-cnn');
    // trained and tested on images saved at JPEG quality 50 first [Poyser-thesis §6]
    await quickConfig(1, '50');
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(/plain CNN: width 8/);
    cnnId = await startAndOpen([dartsId]);
    await page.locator('[data-testid="evaluate-status"][data-state="done"]').waitFor({ timeout: 90_000 });
    await page.getByTestId('evaluate-results').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-result-accuracy').textContent()).toMatch(/^\d{1,3}\.\d %$/);
    expect(await page.getByTestId('evaluate-confusion').locator('tbody tr').count()).toBe(10);
    expect(await page.getByTestId('evaluate-genotype-panel').count()).toBe(0);
    expect(await page.getByTestId('evaluate-download-genotype-json').count()).toBe(0); // a baseline has none
    expect(await page.getByTestId('evaluate-download-model-json').count()).toBe(1);
    expect(await page.getByTestId('evaluate-settings').textContent()).toMatch(/JPEG quality 50, 4:2:0\.\s*$/);
  });

  it('evaluates the cell of a finished search, with the search’s cost beside it', async () => {
    await page.getByTestId('evaluate-back').click();
    await page.getByTestId('evaluate-form').waitFor();
    await pickCard(page, 'evaluate-source-search');
    expect(await page.getByTestId('evaluate-search').inputValue()).toBe(String(searchJobId));
    await quickConfig(1);
    expect(await page.getByTestId('evaluate-network').textContent()).toMatch(
      /NAS-Bench-201 network: C = 8, 1 cell per stage/,
    );
    searchEvalId = await startAndOpen([dartsId, cnnId]);
    const status = page.locator('[data-testid="evaluate-status"]:is([data-state="done"], [data-state="failed"])');
    await status.waitFor({ timeout: 90_000 });
    const message = (await page.getByTestId('evaluate-message').count())
      ? await page.getByTestId('evaluate-message').textContent()
      : '';
    expect(await status.getAttribute('data-state'), `evaluation #${searchEvalId} failed: ${message}`).toBe('done');
    await page.getByTestId('evaluate-results').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-result-network').textContent()).toMatch(/NAS-Bench-201 network, C=8/);
    await page.locator('[data-testid="evaluate-genotype-panel"] [data-testid="cell-graph-normal"] svg').waitFor();
    expect(await page.getByTestId('evaluate-settings').textContent()).toMatch(new RegExp(`search #${searchJobId}`));

    await page.getByTestId('evaluate-back').click();
    const row = page.locator(`[data-testid="evaluate-row-${searchEvalId}"][data-state="done"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(new RegExp(`search #${searchJobId} · MNIST sample`));
    // the search's cost: its time, the images it processed, its data selection
    expect(await row.locator('td.c-cost').textContent()).toMatch(/\d+(\.\d)? m?s.*\d[\d,]* images · full/s);
  });

  it('compares them in the runs table and opens one from Runs', async () => {
    await page.goto(`${ui.serve.url}#/evaluate`);
    const darts = page.locator(`[data-testid="evaluate-row-${dartsId}"][data-state="done"]`);
    const cnn = page.locator(`[data-testid="evaluate-row-${cnnId}"][data-state="done"]`);
    await darts.waitFor();
    await cnn.waitFor();
    expect(await darts.textContent()).toMatch(
      /DARTS network, C=8, 3 cells.*pasted genotype · MNIST sample · 2 \/ 2 epochs/s,
    );
    expect(await cnn.textContent()).toMatch(/plain CNN.*1 \/ 1 epochs/s);
    for (const r of [darts, cnn]) {
      expect(await r.getByTestId('evaluate-row-acc').textContent()).toMatch(/^\d{1,3}\.\d %$/);
      const cells = await r.locator('td.num').allTextContents();
      expect(
        cells.slice(1, 3).every((c) => /^\d[\d.]*$/.test(c.trim())),
        cells.join(' | '),
      ).toBe(true); // params, MAdds (M)
    }
    expect(await page.getByTestId('evaluate-table').locator('tbody tr').count()).toBe(searchEvalId > 0 ? 3 : 2);
    await expectLayoutHolds(page, 'e2e-evaluate-list');
    await tallShot(page, 'e2e-evaluate-list.png', 1500);

    await page.goto(`${ui.serve.url}#/runs/${cnnId}`);
    await page.getByTestId('job-details').waitFor();
    await page.getByTestId('job-view-evaluate').click();
    await page.waitForURL(new RegExp(`#/evaluate/${cnnId}$`));
    await page.locator('[data-testid="evaluate-status"][data-state="done"]').waitFor();
    await page.getByTestId('evaluate-results').waitFor();

    await page.getByTestId('evaluate-back').click();
    await darts.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/evaluate/${dartsId}$`));
    await page.locator('[data-testid="evaluate-chart-loss"][data-points="4"]').waitFor({ timeout: 15_000 });
  });

  it('cancels a running evaluation and resumes it', async () => {
    await page.goto(`${ui.serve.url}#/evaluate`);
    await page.getByTestId('evaluate-form').waitFor();
    await pickCard(page, 'evaluate-source-baseline');
    await pickCard(page, 'evaluate-baseline-cnn');
    await quickConfig(200);
    const id = await startAndOpen([dartsId, cnnId, searchEvalId]);
    await page.locator('[data-testid="evaluate-status"][data-state="running"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('evaluate-phase').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('evaluate-phase').textContent()).toBe('Training');
    await shotsAtWidths(page, 'e2e-evaluate-running');
    // "Cancelling…" at once, before the server has even answered (the call is held here), until the job stops
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(
      '**/api/jobs.cancel',
      async (route) => {
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    await page.getByTestId('evaluate-cancel').click();
    await page.getByTestId('evaluate-cancelling').waitFor({ timeout: 2000 });
    expect(await page.getByTestId('evaluate-cancel').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="evaluate-status"] [data-testid="state-badge"]').textContent()).toBe(
      'Cancelling…',
    );
    await shotsAtWidths(page, 'e2e-evaluate-cancelling');
    release();
    await page.locator('[data-testid="evaluate-status"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('evaluate-cancel').count()).toBe(0);
    expect(await page.getByTestId('evaluate-cancelling').count()).toBe(0);
    await page.getByTestId('evaluate-resume').click();
    await page
      .locator('[data-testid="evaluate-status"]:is([data-state="running"], [data-state="queued"])')
      .waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-resume').count()).toBe(0);
    await page.getByTestId('evaluate-cancel').click();
    await page.locator('[data-testid="evaluate-status"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('evaluate-back').click();
    await page.locator(`[data-testid="evaluate-row-${id}"][data-state="cancelled"]`).waitFor();
  });

  it('shows per-group accuracy and the bias across groups on a dataset with groups', async () => {
    // the procedural colour dataset: RGB, 6 classes, groups A / B / C
    const synth = await runCli(['dataset', 'synth', 'chroma', '--n', '300', '--size', '16'], ui.dataDir);
    expect(synth.code, synth.stderr).toBe(0);
    await page.reload();
    await page.getByTestId('evaluate-form').waitFor();
    await page.getByTestId('evaluate-dataset').selectOption({ label: 'Synthetic chroma — 16×16×3' });
    expect(await page.getByTestId('evaluate-augment-note').textContent()).toMatch(/Auto: on for this RGB dataset/);
    await pickCard(page, 'evaluate-source-baseline');
    await pickCard(page, 'evaluate-baseline-cnn');
    await quickConfig(1);
    await startAndOpen([dartsId, cnnId, searchEvalId]);
    await page.locator('[data-testid="evaluate-status"][data-state="done"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('evaluate-groups').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('evaluate-group-bars-row').count()).toBe(3);
    expect(await page.getByTestId('evaluate-group-bars').locator('tbody th').allTextContents()).toEqual([
      'A',
      'B',
      'C',
    ]);
    expect((await page.getByTestId('evaluate-group-std').textContent())?.replace(/\s+/g, ' ')).toMatch(
      /Bias \(std across groups\) \d+\.\d pp/,
    );
    expect(await page.getByTestId('evaluate-confusion').locator('tbody tr').count()).toBe(6);
    await tallShot(page, 'e2e-evaluate-groups.png', 1700);
    await page.getByTestId('evaluate-back').click();
  });

  it('deletes the imported model after asking', async () => {
    await page.getByTestId('models-panel').waitFor();
    const row = page.locator('[data-testid^="model-row-"][data-origin="import"]', { hasText: 'Round trip' });
    await row.waitFor();
    const before = await page.locator('[data-testid^="model-row-"]').count();
    expect(before).toBeGreaterThanOrEqual(4); // two or three evaluations' models and the two imported ones
    await row.getByRole('button', { name: /Delete model Round trip/ }).click();
    await page.getByTestId('model-delete-panel').waitFor();
    expect(await page.getByTestId('model-delete-panel').textContent()).toMatch(/Delete Round trip\?/);
    await page.getByTestId('model-delete-confirm').click();
    await row.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid^="model-row-"]').count()).toBe(before - 1);
  });

  it('ran without console errors or CSP violations', () => {
    expect(ui.problems).toEqual([]);
  });
});
