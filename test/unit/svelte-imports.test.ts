// The .svelte import check (scripts/check-svelte-imports.mjs) refuses what ESLint refuses in renderer/**/*.ts.
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { forbiddenImports } from '../../scripts/check-svelte-imports.mjs';

const FILE = 'renderer/src/components/search/X.svelte';
const check = (source: string): string[] =>
  (forbiddenImports(source, FILE) as { specifier: string }[]).map((f) => f.specifier);

describe('svelte import boundary', () => {
  it('allows shared/, the renderer, svelte and chart.js', () => {
    expect(
      check(`<script lang="ts">
  import { onMount } from 'svelte';
  import Table from '../Table.svelte';
  import { SearchParams } from '../../../../shared/search.js';
  import type { Chart } from 'chart.js';
  const lazy = () => import('../../lib/chart-setup.js');
</script>`),
    ).toEqual([]);
  });

  it.each([
    ["import { run } from '../../../../main/engine/search/darts.js';", '../../../../main/engine/search/darts.js'],
    ["import fs from 'node:fs';", 'node:fs'],
    ["import path from 'path';", 'path'],
    ["import { ipcRenderer } from 'electron';", 'electron'],
    ["import sharp from 'sharp';", 'sharp'],
    ["import * as tf from '@tensorflow/tfjs-node-gpu';", '@tensorflow/tfjs-node-gpu'],
    ["const m = await import('node:child_process');", 'node:child_process'],
    ["import 'better-sqlite3';", 'better-sqlite3'],
  ])('refuses %s', (line, specifier) => {
    expect(check(`<script lang="ts">\n${line}\n</script>`)).toEqual([specifier]);
  });

  it('does not take a name that merely starts like a forbidden module', () => {
    expect(check("<script>import x from 'sharpen'; import y from 'paths-to';</script>")).toEqual([]);
  });
});
