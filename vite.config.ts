// Builds the renderer (Svelte 5) into dist/renderer. Relative asset URLs (base './') because the same files are
// loaded by the Electron window (its app:// scheme, or file://) and served by `winnow serve` at /.
// Test configuration lives in vitest.config.ts, not here.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { bundleReport, describeReport } from './scripts/bundle-budget.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * The dev server (`npx vite`) injects component styles as <style> elements, which the strict CSP in
 * index.html forbids; drop that meta tag when serving for development only. Builds keep it.
 */
const devWithoutCsp: Plugin = {
  name: 'winnow-dev-without-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>\s*/i, ''),
};

/** Fails the build when a page would load more than the budget (scripts/bundle-budget.ts); logs the sizes. */
const pageBudget: Plugin = {
  name: 'winnow-page-budget',
  apply: 'build',
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle).flatMap((c) =>
      c.type === 'chunk'
        ? [
            {
              fileName: c.fileName,
              bytes: Buffer.byteLength(c.code),
              isEntry: c.isEntry,
              isDynamicEntry: c.isDynamicEntry,
              imports: c.imports,
            },
          ]
        : [],
    );
    const report = bundleReport(chunks);
    process.stdout.write(`${describeReport(report)}\n`);
    if (report.overBudget.length > 0) {
      this.error(
        `These pages load more than the budget: ${report.overBudget.map((p) => `${p.chunk} ${p.bytes} bytes`).join(', ')}. ` +
          'Split what they import, or lazy-load the heavy part.',
      );
    }
  },
};

export default defineConfig({
  root: here('./renderer'),
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false }), devWithoutCsp, pageBudget],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    // Chromium supports modulepreload natively; the polyfill is not needed.
    modulePreload: { polyfill: false },
    sourcemap: true,
    // Keep every asset a separate file: the CSP allows no data: scripts or styles.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      output: {
        // chart.js (with its colour helper) is the largest library and only the pages draw charts: one named chunk
        // the pages share, fetched after the first page instead of delaying it.
        manualChunks: (id) => (/node_modules\/(chart\.js|@kurkle\/color)\//.test(id) ? 'chart' : undefined),
      },
    },
  },
  server: { fs: { allow: [here('.')] } },
});
