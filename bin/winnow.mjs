#!/usr/bin/env node
// The `winnow` command. The CLI is built into dist/ by `npm install` (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'winnow: the CLI is not built yet. Run `npm run build` in the Winnow folder (npm install does it too).\n',
  );
  process.exit(1);
}
await import(cli.href);
