/**
 * The real UI in chromium against `winnow serve`: open it with the token, start the self-test from
 * Settings, see progress in the status bar, see the finished job on Runs. Screenshots go to test-results/.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGES } from '../../renderer/src/lib/routes.js';
import { SHOTS, openUi, expectLayoutHolds, uiSuite } from '../helpers/ui.js';

const { ui, page } = uiSuite(() => openUi());

describe('Settings and Runs pages', () => {
  it('opens with the token, shows the navigation and the selected backend', async () => {
    await page.goto(ui.serve.url);
    expect(new URL(page.url()).searchParams.get('token')).toBeNull(); // token moved into a cookie
    for (const name of PAGES) {
      await page.getByTestId(`nav-${name}`).waitFor({ state: 'visible' });
    }
    await page.getByTestId('nav-settings').click();
    await page.waitForURL(/#\/settings/);
    const backend = page.getByTestId('statusbar-backend');
    await backend.waitFor();
    await page.waitForFunction(() =>
      /wasm|tensorflow|cpu/.test(document.querySelector('[data-testid="statusbar-backend"]')?.textContent ?? ''),
    );
    // the ladder table lists every rung with its reason
    for (const rung of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) {
      await page.getByTestId(`backend-rung-${rung}`).waitFor({ state: 'visible' });
    }
    const gpuRung = await page.getByTestId('backend-rung-tensorflow-gpu').textContent();
    expect(gpuRung).toMatch(/not installed|not found|failed|not tried|loaded|yes/i);
    await expectLayoutHolds(page, 'e2e-settings');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings.png'), fullPage: true });
  });

  it('sets up the native engine with one button and says what it did, or why not', async () => {
    const card = page.getByTestId('native-engine-card');
    await card.waitFor({ state: 'visible' });
    expect(await card.textContent()).toMatch(/1\.1 GB of disk/);
    await page.getByTestId('native-setup').click();
    const status = page.getByTestId('native-setup-status');
    await status.waitFor({ state: 'visible', timeout: 30_000 });
    // where CI set it up already this only checks that it loads; elsewhere it builds (a minute or two) or says why not
    await page.waitForFunction(
      () =>
        /done|failed/.test(
          document.querySelector('[data-testid="native-setup-status"]')?.getAttribute('data-state') ?? '',
        ),
      null,
      {
        timeout: 300_000,
      },
    );
    const state = await status.getAttribute('data-state');
    if (state === 'done')
      expect(await page.getByTestId('native-setup-done').textContent()).toMatch(/tensorflow on TensorFlow 2\.\d+/);
    else expect(await page.getByTestId('native-setup-error').textContent()).toMatch(/wheel|pip|npm|disk|build|load/i);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings-native.png'), fullPage: true });
  }, 320_000);

  it('runs the self-test from Settings with progress in the status bar', async () => {
    await page.getByTestId('selftest-button').click();
    await page.getByTestId('statusbar-progress').waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, 'e2e-selftest-running.png') });
    const result = page.getByTestId('selftest-result');
    await result.waitFor({ state: 'visible', timeout: 120_000 });
    await page.waitForFunction(
      () => /Steps \/ s\s*[\d.]+/.test(document.querySelector('[data-testid="selftest-result"]')?.textContent ?? ''),
      null,
      {
        timeout: 120_000,
      },
    );
    expect(await result.textContent()).toMatch(/Images \/ s\s*[\d.]+/);
    expect(await result.textContent()).toMatch(/Backend\s*(wasm|tensorflow|tensorflow-gpu|cpu)/);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-selftest-done.png'), fullPage: true });
  });

  it('shows the finished job on Runs, with its details', async () => {
    await page.getByTestId('nav-runs').click();
    await page.waitForURL(/#\/runs/);
    const row = page.locator('[data-testid^="run-row-"]').first();
    await row.waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid^="run-row-"]')?.getAttribute('data-state') === 'done',
    );
    expect(await row.textContent()).toMatch(/Self-test/);
    await row.click();
    await page.getByTestId('job-details').waitFor();
    await page.waitForFunction(() =>
      /Steps \/ s\s*[\d.]+/.test(document.querySelector('[data-testid="job-result"]')?.textContent ?? ''),
    );
    expect(await page.getByTestId('job-events').textContent()).toMatch(/Backend: (wasm|tensorflow|cpu)/);
    await expectLayoutHolds(page, 'e2e-runs-details');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-runs.png'), fullPage: true });
  });

  it('shows the job as a table at 1024 × 700: form labels, whole numbers, raw JSON folded, no header clipped', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const params = page.getByTestId('job-params');
    await params.waitFor();
    const labels = await params.locator('th .label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['Steps', 'Batch size', 'Seed', 'Backend']));
    expect(labels.filter((l) => /[a-z][A-Z]/.test(l))).toEqual([]); // no camelCase keys
    expect(await params.locator('tr[data-key="steps"] td').textContent()).toMatch(/^\d[\d,]*$/);
    // the raw parameters and result are there, folded away
    const raw = page.getByTestId('job-raw');
    expect(await raw.getAttribute('open')).toBeNull();
    expect(await raw.locator('pre').isVisible()).toBe(false);
    // every header of the runs table shows its whole text inside the table's card, at 1024 (details below the
    // list) and beside the details pane
    const clippedHeaders = () =>
      page.$$eval('[data-testid="runs-table"] th', (ths) =>
        ths
          .filter((th) => {
            if (th.getBoundingClientRect().width === 0) return false; // a column hidden at this width
            const card = th.closest('.table-card')?.getBoundingClientRect();
            const box = th.getBoundingClientRect();
            return th.scrollWidth > th.clientWidth + 1 || (card != null && box.right > card.right + 1);
          })
          .map((th) => th.textContent),
      );
    expect(await clippedHeaders()).toEqual([]);
    for (const width of [1210, 1400]) {
      await page.setViewportSize({ width, height: 700 });
      expect(await clippedHeaders(), `at ${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: path.join(SHOTS, 'e2e-runs-1024.png') });
    await raw.locator('summary').click();
    expect(await raw.locator('pre').textContent()).toMatch(/"params"/);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('lists the papers help texts cite, and opens the one a link asks for', async () => {
    await page.goto(`${ui.serve.url}#/settings?paper=DDS-NAS`);
    const row = page.getByTestId('paper-DDS-NAS');
    await row.waitFor();
    await page.locator('[data-testid="paper-DDS-NAS"].chosen').waitFor();
    expect(await row.textContent()).toMatch(/Dynamic Data Selection/);
    expect(await row.isVisible()).toBe(true);
    expect(await page.locator('[data-testid="papers"] tr.chosen').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings-papers.png') });
  });

  it('ran without console errors or CSP violations', () => {
    expect(ui.problems).toEqual([]);
  });
});
