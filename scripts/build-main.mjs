// Bundles the Node side (CLI, engine worker, Electron main and preload) into dist/main with esbuild.
// npm packages stay external: native modules (better-sqlite3, sharp, tfjs-node) must load from node_modules.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    format: 'esm',
    entryPoints: {
      cli: 'main/cli/run.ts',
      worker: 'main/jobs/worker.ts',
      app: 'main/app/main.ts',
    },
    outdir: 'dist/main',
    outExtension: { '.js': '.js' },
    external: ['electron'],
  }),
  // A sandboxed preload cannot be an ES module.
  build({
    ...common,
    format: 'cjs',
    entryPoints: { preload: 'main/app/preload.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);
