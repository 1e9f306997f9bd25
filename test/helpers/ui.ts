import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium } from './browser.js';
import { runCli, startServe } from './cli.js';
import { REPO_ROOT, tempDir } from './tmp.js';

export const SHOTS = path.join(REPO_ROOT, 'test-results');

export interface UiSession {
  serve: Awaited<ReturnType<typeof startServe>>;
  /** The serve's private data folder (WINNOW_DATA_DIR), e.g. for preparing data with the CLI. */
  dataDir: string;
  browser: Browser;
  page: Page;
  /** Console errors and page errors (CSP violations land here): an e2e test ends by asserting none. */
  problems: string[];
  close(): Promise<void>;
}

/** `winnow serve` on a private data folder (and `env`, e.g. a HOME of the test's) plus a chromium page watching for errors. */
export async function openUi(
  viewport = { width: 1280, height: 800 },
  env: Record<string, string> = {},
): Promise<UiSession> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const t = tempDir();
  const serve = await startServe(t.dir, [], env);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return {
    serve,
    dataDir: t.dir,
    browser,
    page,
    problems,
    close: async () => {
      await browser.close();
      await serve.stop();
      t.cleanup();
    },
  };
}

/**
 * A test file's UI session: `open` runs before the file's tests (then `prepare`, e.g. data made with the CLI, all
 * within `timeout` ms) and the session closes after them. `ui` and `page` stand for the session and its page from
 * then on, so a file names them once at the top: `const { ui, page } = uiSuite();`.
 */
export function uiSuite(
  open: () => Promise<UiSession> = openUiWithSample,
  prepare?: (ui: UiSession) => Promise<void>,
  timeout?: number,
): { ui: UiSession; page: Page } {
  const ui = {} as UiSession;
  beforeAll(async () => {
    Object.assign(ui, await open());
    await prepare?.(ui);
  }, timeout);
  afterAll(() => ui.close?.());
  // the page opens in beforeAll: each use looks it up then (methods bound to it, as playwright expects)
  const page = new Proxy({} as Page, {
    get(_target, key) {
      if (!ui.page) throw new Error('The UI is not open yet: use the page inside a test or a hook.');
      const value: unknown = Reflect.get(ui.page, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(ui.page) : value;
    },
  });
  return { ui, page };
}

/** Follows a view's back link (`testid`) to its list at `#/route`. */
export async function backToList(page: Page, testid: string, route: string): Promise<void> {
  await page.getByTestId(testid).click();
  await page.waitForURL(new RegExp(`#/${route}$`));
}

/** Fills each input named by its test id with its value, in order. */
export async function fillFields(page: Page, values: Record<string, string | number>): Promise<void> {
  for (const [testid, value] of Object.entries(values)) await page.getByTestId(testid).fill(String(value));
}

/** The viewport most e2e files work in; the shots below return to it. */
export const VIEWPORT = { width: 1280, height: 900 };

/** The widths a page is looked at (CONTRIBUTING.md): shots at both show what wraps or crowds. */
export const SHOT_WIDTHS = [1400, 1024];

/** `openUi` at the usual viewport with the MNIST sample dataset (#1) imported through the CLI. */
export async function openUiWithSample(): Promise<UiSession> {
  const ui = await openUi(VIEWPORT);
  const imported = await runCli(['dataset', 'sample', 'mnist'], ui.dataDir);
  expect(imported.code, imported.stderr).toBe(0);
  return ui;
}

/** Goes to a job page (`#/route`) and waits for it, its form (`{prefix}-form`) and its list, still empty. */
export async function openEmptyJobPage(ui: UiSession, route: string, prefix: string): Promise<void> {
  await ui.page.goto(`${ui.serve.url}#/${route}`);
  for (const id of [`page-${route}`, `${prefix}-form`, `${prefix}-list-empty`]) await ui.page.getByTestId(id).waitFor();
}

/**
 * A full-page shot into test-results/ at each of `widths` (`name` gets `-<width>` when there are several): the page
 * scrolls inside its content pane, so the viewport is `height` tall for a moment.
 */
export async function tallShot(page: Page, name: string, height = 2000, widths = [VIEWPORT.width]): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height });
    if (widths.length > 1) await page.waitForTimeout(150);
    const file = widths.length > 1 ? `${name}-${width}.png` : name;
    await page.screenshot({ path: path.join(SHOTS, file) });
  }
  await page.setViewportSize(VIEWPORT);
}

/** How many `<img>` matching `selector` decoded as PNG data: URLs with a real size. */
export function decodedImages(page: Page, selector: string): Promise<number> {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll<HTMLImageElement>(sel)].filter(
        (i) => i.src.startsWith('data:image/png') && i.complete && i.naturalWidth > 0,
      ).length,
    selector,
  );
}

/** Waits until at least `n` `<img>` matching `selector` decoded as PNG data: URLs. */
export async function waitForDecodedImages(page: Page, selector: string, n: number): Promise<void> {
  await expect.poll(() => decodedImages(page, selector), { timeout: 20_000 }).toBeGreaterThanOrEqual(n);
}

/** Clicks the element `testid` and waits for the download it starts: the download and the file's bytes. */
export async function download(page: Page, testid: string): Promise<{ download: Download; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId(testid).click()]);
  return { download: d, bytes: fs.readFileSync(await d.path()) };
}

/** Picks a radio card (a label around a visually hidden radio `testid`) and checks that the radio is now checked. */
export async function pickCard(page: Page, testid: string): Promise<void> {
  await page.getByTestId(testid).locator('xpath=..').click();
  expect(await page.getByTestId(testid).isChecked()).toBe(true);
}

/** Screenshots of the page at 1400 and 1024 px wide (`<name>-1400.png`, `<name>-1024.png`), then back to 1280x900. */
export async function shotsAtWidths(page: Page, name: string, height = 900): Promise<void> {
  for (const width of [1400, 1024]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The smallest window the layout is held to (issue #17). */
export const SMALL_VIEWPORT = { width: 1024, height: 700 };

/**
 * What breaks the layout of the page as it stands: the page or its content pane scrolling sideways, a table header or
 * a button whose text is cut off or whose box sticks out of the viewport or out of the card / scroll box around it,
 * anything of the content pane reaching under the nav rail. Elements hidden at this width (no box) are passed over.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)}"` +
      (el.getAttribute('data-testid') ? ` [${el.getAttribute('data-testid')}]` : '');
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) out.push(`the page scrolls sideways (${root.scrollWidth} px)`);
    const content = document.querySelector('main.content');
    if (content && content.scrollWidth > content.clientWidth + 1)
      out.push(`the content pane scrolls sideways (${content.scrollWidth} > ${content.clientWidth} px)`);
    const rail = document.querySelector('nav.rail')?.getBoundingClientRect();
    for (const el of content?.querySelectorAll('th, button') ?? []) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${name(el)} cuts its text off`);
      if (box.left < -1 || box.right > window.innerWidth + 1) out.push(`${name(el)} sticks out of the window`);
      if (rail && box.left < rail.right - 1) out.push(`${name(el)} reaches under the nav rail`);
      // the nearest box that clips: a table card, or anything scrolling or hiding what overflows it
      let parent = el.parentElement;
      while (parent && parent !== content) {
        const style = getComputedStyle(parent);
        if (parent.classList.contains('table-card') || style.overflowX !== 'visible') break;
        parent = parent.parentElement;
      }
      if (parent && parent !== content) {
        const around = parent.getBoundingClientRect();
        if (box.left < around.left - 1 || box.right > around.right + 1) out.push(`${name(el)} sticks out of its box`);
      }
    }
    return out;
  });
}

/**
 * Issue #17: at 1024 x 700 the page shot `<name>-1024x700.png` shows a layout that holds (`layoutProblems` finds
 * nothing); then back to the viewport the test had.
 */
export async function expectLayoutHolds(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? VIEWPORT;
  await page.setViewportSize(SMALL_VIEWPORT);
  await page.waitForTimeout(150); // charts and tables settle to the new width
  await page.screenshot({ path: path.join(SHOTS, `${name}-1024x700.png`) });
  expect(await layoutProblems(page), `${name} at 1024 x 700`).toEqual([]);
  await page.setViewportSize(before);
}
