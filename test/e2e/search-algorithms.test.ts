/**
 * The Search page's algorithm selector and the algorithm's view, in chromium against `winnow serve`: with the MNIST
 * sample imported, the form offers every algorithm with its explanation and shows only the chosen one's fields
 * (PC-DARTS is disabled on NAS-Bench-201, saying why); then a tiny GDAS search started from the form (NAS-Bench-201,
 * 2 epochs, C = 4, 1 cell per stage, 8 images per class) shows its algorithm in the header, τ falling over the
 * epochs, the likeliest sampled operation per edge and, once finished, its genotype. Screenshots go to
 * test-results/e2e-search-algo-*.png.
 */
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SHOTS, SHOT_WIDTHS, fillFields, openUi, pickCard, tallShot, uiSuite } from '../helpers/ui.js';

const { ui, page } = uiSuite(
  () => openUi({ width: 1280, height: 900 }),
  async () => {
    const imported = await runCli(['dataset', 'sample', 'mnist'], ui.dataDir);
    expect(imported.code, imported.stderr).toBe(0);
  },
);

/** The visible fields of a form (a labelled field or a group of cards) with no help line: their labels. */
async function fieldsWithoutHelp(form: Locator): Promise<{ fields: number; without: string[] }> {
  return form.evaluate((root) => {
    const fields = [
      ...root.querySelectorAll<HTMLElement>('label.form-field, fieldset.form-group, section.options label.field'),
    ].filter((f) => f.checkVisibility());
    const without = fields
      .filter((f) => !f.querySelector('[data-testid="field-help"]')?.textContent?.trim())
      .map((f) => f.querySelector('.caps-label, legend, .label')?.textContent?.trim() ?? f.outerHTML.slice(0, 80));
    return { fields: fields.length, without };
  });
}

describe('Search algorithms', () => {
  it('offers each algorithm with its own fields, and disables those the space lacks', async () => {
    await page.goto(`${ui.serve.url}#/search`);
    await page.getByTestId('search-form').waitFor();
    expect(await page.getByTestId('search-algorithm-darts').isChecked()).toBe(true);
    expect(await page.getByTestId('search-algorithm-fields').count()).toBe(0); // first-order DARTS has none
    await pickCard(page, 'search-algorithm-pc-darts');
    expect(await page.getByTestId('search-algorithm-about').textContent()).toMatch(/1\/K of the channels/);
    expect(await page.getByTestId('search-algo-partial-channels').inputValue()).toBe('4');
    // the paper's CIFAR batch and learning rates come with it
    expect(await page.getByTestId('search-batch').inputValue()).toBe('256');
    expect(await page.getByTestId('search-lr').inputValue()).toBe('0.1');
    // the warm-up is left empty: the engine takes 30% of the epochs
    expect(await page.getByTestId('search-algo-alpha-warmup-epochs').getAttribute('placeholder')).toBe('default');
    await page.getByTestId('search-algorithm-paper').locator('summary').click();
    await page
      .locator('[data-testid="search-algorithm-paper"]', { hasText: /Xu et al\.: PC-DARTS: Partial Channel/ })
      .waitFor({ timeout: 10_000 });

    // NAS-Bench-201 does not define PC-DARTS: the form falls back to DARTS and says why on the card
    await pickCard(page, 'search-space-nb201');
    expect(await page.getByTestId('search-algorithm-darts').isChecked()).toBe(true);
    expect(await page.getByTestId('search-lr').inputValue()).toBe('0.025');
    expect(await page.getByTestId('search-algorithm-pc-darts').isDisabled()).toBe(true);
    expect(await page.getByTestId('search-algorithm-pc-darts-why').textContent()).toBe('Only on the DARTS space');

    await pickCard(page, 'search-algorithm-gdas');
    expect(await page.getByTestId('search-algo-partial-channels').count()).toBe(0);
    expect(await page.getByTestId('search-algo-tau-max').inputValue()).toBe('10');
    expect(await page.getByTestId('search-algo-tau-min').inputValue()).toBe('0.1');
    // a temperature that would rise is refused by the form, on its field
    await page.getByTestId('search-algo-tau-min').fill('20');
    await page.getByTestId('search-start').click();
    expect(await page.getByTestId('search-form-problem').textContent()).toMatch(/End temperature τ: below the start/);
    await page.getByTestId('search-algo-tau-min').fill('0.1');
    await page.getByTestId('search-algorithm').screenshot({ path: path.join(SHOTS, 'e2e-search-algo-form.png') });
  });

  it('runs a tiny GDAS search: τ over the epochs, the sampled operations, the genotype', async () => {
    // the tiny search of search.test.ts: 2 epochs, batch 8, C = 4, one cell, 8 images per class
    await fillFields(page, {
      'search-epochs': 2,
      'search-batch': 8,
      'search-channels': 4,
      'search-cells': 1,
      'search-limit': 8,
    });
    await page.getByTestId('search-start').click();
    await page.waitForURL(/#\/search\/\d+$/, { timeout: 15_000 });
    expect(await page.getByTestId('search-view-algorithm').textContent()).toMatch(/nb201 · GDAS/);
    const panel = page.locator('[data-testid="search-algo-panel"][data-algorithm="gdas"]');
    await panel.waitFor();
    expect(await panel.getByTestId('search-algo-settings').textContent()).toMatch(
      /Start temperature τ\s*10.*End temperature τ\s*0\.1/,
    );

    await page.locator('[data-testid="search-status"][data-state="done"]').waitFor({ timeout: 120_000 });
    // τ: one point per epoch, annealed from 10 down to 0.1 over the 2 epochs
    await page.locator('[data-testid="search-algo-tau"][data-points="2"]').waitFor({ timeout: 10_000 });
    expect(await panel.locator('figcaption').first().textContent()).toMatch(/Temperature\s*0\.1/);
    // NAS-Bench-201: 6 edges, each with its likeliest operation and how often it is drawn
    const rows = page.getByTestId('search-algo-sampled').locator('tbody tr');
    expect(await rows.count()).toBe(6);
    expect(await rows.first().textContent()).toMatch(
      /0 → 1\s*(none|skip_connect|nor_conv_1x1|nor_conv_3x3|avg_pool_3x3)\s*\d/,
    );
    expect(await page.getByTestId('search-algo-edges').count()).toBe(0); // β belongs to PC-DARTS

    await page.locator('[data-testid="genotype-panel"][data-final="true"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('genotype-text').textContent()).toMatch(/^\|\w+~0\|\+\|\w+~0\|\w+~1\|\+/);
    await panel.screenshot({ path: path.join(SHOTS, 'e2e-search-algo-gdas.png') });
    expect(ui.problems).toEqual([]);
  });

  it('explains every field of every job form in a line, its paper a link to the entry', async () => {
    const open: [string, string, () => Promise<void>][] = [
      ['search', 'search-form', () => pickCard(page, 'search-strategy-dds')],
      ['search', 'dsm-form', () => pickCard(page, 'search-method-dsm')],
      ['search', 'naswot-form', () => pickCard(page, 'search-method-naswot')],
      ['evaluate', 'evaluate-form', async () => {}],
      ['compression', 'compress-form', async () => {}],
      ['autoencoder', 'ae-form', async () => {}],
      [
        'datasets',
        'import-dialog',
        async () => {
          await page.getByTestId('import-open').click();
          await pickCard(page, 'import-kind-mnist');
        },
      ],
    ];
    for (const [route, form, prepare] of open) {
      await page.goto(`${ui.serve.url}#/${route}`);
      if (route === 'search') await page.getByTestId('search-form').waitFor();
      await prepare();
      await page.getByTestId(form).waitFor();
      const found = await fieldsWithoutHelp(page.getByTestId(form));
      expect(found.fields, form).toBeGreaterThan(4);
      expect(found.without, form).toEqual([]);
    }

    await page.goto(`${ui.serve.url}#/search`);
    await pickCard(page, 'search-method-darts');
    await page.getByTestId('search-form').waitFor();
    await pickCard(page, 'search-strategy-dds');
    await tallShot(page, 'e2e-form-help-search', 2400, SHOT_WIDTHS);
    // the mastery threshold cites its section of DDS-NAS; the link opens the paper's entry
    const cite = page.getByTestId('search-mastery').locator('xpath=..').getByTestId('field-help-cite');
    expect(await cite.textContent()).toMatch(/^\[DDS-NAS §3\.1\]$/);
    await cite.click();
    await page.waitForURL(/#\/settings\?paper=DDS-NAS$/);
    await page.locator('[data-testid="paper-DDS-NAS"].chosen').waitFor();
    expect(ui.problems).toEqual([]);
  });
});
