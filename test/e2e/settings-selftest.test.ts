/**
 * The real UI in chromium against `winnow serve`: open it with the token, start the self-test from
 * Settings, see progress in the status bar, see the finished job on Runs. Screenshots go to test-results/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, openUi, type UiSession } from '../helpers/ui.js';

let ui: UiSession;
let serve: UiSession['serve'];
let page: Page;
let problems: string[];

beforeAll(async () => {
  ui = await openUi();
  ({ serve, page, problems } = ui);
});

afterAll(() => ui?.close());

describe('Settings and Runs pages', () => {
  it('opens with the token, shows the navigation and the selected backend', async () => {
    await page.goto(serve.url);
    expect(new URL(page.url()).searchParams.get('token')).toBeNull(); // token moved into a cookie
    for (const name of ['datasets', 'autoencoder', 'search', 'evaluate', 'compression', 'runs', 'settings']) {
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
    await page.screenshot({ path: path.join(SHOTS, 'e2e-runs.png'), fullPage: true });
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
