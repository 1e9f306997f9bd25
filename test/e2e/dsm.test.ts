/**
 * The DSM-NAS panel of the Search page in chromium against `winnow serve`, with the MNIST sample imported: the
 * method picker opens the DSM form with the schema's defaults, whose own checks refuse bad DSM-NAS+ genotypes and
 * out-of-range settings in words. Where the host runs the `dsm-search` kind (`jobs.kinds`), a tiny search started
 * from the UI (6 iterations, K = 3, M = 2, a one-epoch supernet of C = 4 on 8 images per class) draws its subspace
 * graph (one node per centre, coloured by the accuracy the job reports), the reward curve with its baseline, the
 * centre replacements and the best centre, whose text and export match the job's result; a DSM-NAS+ search then
 * starts from that centre and reuses the first one's supernet. Screenshots at 1400 and 1024 px wide go to
 * test-results/e2e-dsm-*.png.
 */
import { describe, expect, it } from 'vitest';
import { jobResultWithCli } from '../helpers/cli-data.js';
import {
  download,
  expectLayoutHolds,
  openUiWithSample,
  pickCard,
  SHOT_WIDTHS,
  tallShot,
  uiSuite,
} from '../helpers/ui.js';

/** Whether this host runs DSM-NAS searches (the engine's kind is registered). */
let hasDsm = false;
let firstId = 0;

interface Cell {
  text: string;
  accuracy: number;
}
interface DsmResultLike {
  best: Cell & { subspace: number };
  centres: Cell[];
  initial: Cell[];
  replacements: unknown[];
  rewards: number[];
  supernet: { source: string; jobId: number | null };
}

async function openForm(): Promise<void> {
  await page.goto(`${ui.serve.url}#/search`);
  await pickCard(page, 'search-method-dsm');
  await page.getByTestId('dsm-form').waitFor();
}

async function tinySearch(): Promise<void> {
  await page.getByTestId('dsm-iterations').fill('6');
  await page.getByTestId('dsm-subspaces').fill('3');
  await page.getByTestId('dsm-distance').fill('2');
  await page.getByTestId('dsm-calibration-batches').fill('1');
  await page.getByTestId('dsm-limit-per-class').fill('8');
}

const { ui, page } = uiSuite(openUiWithSample, async () => {
  await page.goto(ui.serve.url);
  const kinds = await page.evaluate(async () => {
    const r = await fetch('/api/jobs.kinds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await r.json()) as { result?: { kind: string }[] } | { kind: string }[];
    return (Array.isArray(body) ? body : (body.result ?? [])).map((k) => k.kind);
  });
  // the list is read right: the built-in naswot kind is in it
  expect(kinds).toContain('naswot');
  hasDsm = kinds.includes('dsm-search');
});

describe('DSM-NAS panel', () => {
  it('offers the DSM form with the schema’s defaults and refuses bad settings in words', async () => {
    await openForm();
    expect(await page.getByTestId('dsm-iterations').inputValue()).toBe('200');
    expect(await page.getByTestId('dsm-subspaces').inputValue()).toBe('10');
    expect(await page.getByTestId('dsm-distance').inputValue()).toBe('3');
    expect(await page.getByTestId('dsm-controller-lr').inputValue()).toBe('0.0003');
    expect(await page.getByTestId('dsm-entropy-weight').inputValue()).toBe('0.001');
    expect(await page.getByTestId('dsm-supernet-fields').count()).toBe(1);
    // no finished job has a supernet to reuse yet
    await pickCard(page, 'dsm-supernet-reuse');
    await page.getByTestId('dsm-supernet-none').waitFor();
    await pickCard(page, 'dsm-supernet-train');

    await pickCard(page, 'dsm-init-genotypes');
    await page.getByTestId('dsm-init-text').fill('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|bogus~2|');
    expect(await page.getByTestId('dsm-init-note').textContent()).toMatch(/line 1 is not a NAS-Bench-201 string/);
    await page.getByTestId('dsm-start').click();
    expect(await page.getByTestId('dsm-form-problem').textContent()).toMatch(/^Start from these genotypes: line 1/);
    await pickCard(page, 'dsm-init-random');
    await page.getByTestId('dsm-distance').fill('7');
    await page.getByTestId('dsm-start').click();
    expect(await page.getByTestId('dsm-form-problem').textContent()).toBe('Distance M: a whole number from 1 to 6.');
    expect(page.url()).toMatch(/#\/search$/);
    await expectLayoutHolds(page, 'e2e-dsm-form');
    await tallShot(page, 'e2e-dsm-form', 2200, SHOT_WIDTHS);
  });

  it('runs a tiny DSM-NAS search from the UI: graph, reward, replacements, best centre', async ({ skip }) => {
    if (!hasDsm) skip('this host has no dsm-search job kind yet (the engine is not merged)');
    await openForm();
    await tinySearch();
    await page.getByTestId('dsm-channels').fill('4');
    await page.getByTestId('dsm-supernet-epochs').fill('1');
    await page.getByTestId('dsm-supernet-batch').fill('16');
    await page.getByTestId('dsm-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    firstId = Number(/(\d+)$/.exec(page.url())?.[1]);
    await page.getByTestId('dsm-view').waitFor();
    await page.locator('[data-testid="dsm-status"][data-state="done"]').waitFor({ timeout: 300_000 });
    const result = await jobResultWithCli<DsmResultLike>(ui.dataDir, firstId);
    expect(result.centres).toHaveLength(3);
    expect(result.rewards).toHaveLength(6);

    const graph = page.getByTestId('dsm-graph');
    expect(await graph.getAttribute('data-nodes')).toBe('3');
    const drawn = await page
      .getByTestId('dsm-graph-node')
      .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-accuracy'))));
    expect(drawn).toEqual(result.centres.map((c) => c.accuracy));
    await page.getByTestId('dsm-graph-legend').waitFor();
    expect(await page.getByTestId('dsm-iterations-done').textContent()).toBe('iteration 6 of 6');
    // six rewards and six baselines (the stored events), one best-accuracy step line
    expect(await page.getByTestId('dsm-chart-reward').getAttribute('data-points')).toBe('12');
    expect(await page.getByTestId('dsm-chart-best').getAttribute('data-points')).toBe('6');
    if (result.replacements.length > 0)
      expect(await page.getByTestId('dsm-replacement-row').count()).toBe(result.replacements.length);
    else await page.getByTestId('dsm-replacements-none').waitFor();

    expect(await page.getByTestId('dsm-best-text').textContent()).toBe(result.best.text);
    const nb201 = await download(page, 'dsm-best-export-nb201');
    expect(nb201.bytes.toString('utf8').trim()).toBe(result.best.text);
    await page.locator('[data-testid="dsm-best"] [data-testid="cell-graph-normal"] svg').waitFor();
    await expectLayoutHolds(page, 'e2e-dsm-view');
    await tallShot(page, 'e2e-dsm-view', 2200, SHOT_WIDTHS);

    await page.goto(`${ui.serve.url}#/search`);
    expect(await page.getByTestId(`method-run-${firstId}`).getAttribute('data-kind')).toBe('dsm-search');

    // the best centre is a searched cell the Evaluate page offers, with the search's provenance
    await page.goto(`${ui.serve.url}#/evaluate`);
    const source = page.getByTestId('evaluate-search');
    await source.waitFor();
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll('[data-testid="evaluate-search"] option')].some(
          (o) => (o as HTMLOptionElement).value === String(id),
        ),
      firstId,
    );
    await source.selectOption(String(firstId));
    expect(await source.locator('option:checked').textContent()).toMatch(new RegExp(`^#${firstId} · DSM-NAS ·`));
    expect(await page.getByTestId('evaluate-search-genotype').textContent()).toBe(result.best.text);
  });

  it('starts DSM-NAS+ from the best centre, reusing the first search’s supernet', async ({ skip }) => {
    if (!hasDsm || firstId === 0) skip('needs the first DSM-NAS search (the engine is not merged)');
    const first = await jobResultWithCli<DsmResultLike>(ui.dataDir, firstId);
    await openForm();
    await tinySearch();
    await pickCard(page, 'dsm-init-genotypes');
    await page.getByTestId('dsm-init-text').fill(first.best.text);
    await pickCard(page, 'dsm-supernet-reuse');
    expect(await page.getByTestId('dsm-supernet-from').inputValue()).toBe(String(firstId));
    await page.getByTestId('dsm-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    const id = Number(/(\d+)$/.exec(page.url())?.[1]);
    await page.locator('[data-testid="dsm-status"][data-state="done"]').waitFor({ timeout: 300_000 });
    const result = await jobResultWithCli<DsmResultLike>(ui.dataDir, id);
    expect(result.initial[0]!.text).toBe(first.best.text);
    expect(result.supernet).toMatchObject({ source: 'reused', jobId: firstId });
    expect(ui.problems).toEqual([]);
  });
});
