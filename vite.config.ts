// Builds the renderer (Svelte 5) into dist/renderer. Relative asset URLs (base './') because the same files are
// loaded by the Electron window (its app:// scheme, or file://) and served by `winnow serve` at /.
// Test configuration lives in vitest.config.ts, not here.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

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

export default defineConfig({
  root: here('./renderer'),
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false }), devWithoutCsp],
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
