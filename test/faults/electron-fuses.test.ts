/**
 * The packaged app's Electron fuses: electron-builder flips them (its `electronFuses` option) in the binary it packs.
 * Packing needs the Electron download and a native rebuild, so this reads the configuration electron-builder uses.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
// electron-builder's own YAML parser (a dependency of electron-builder)
const yaml = require('js-yaml') as { load(text: string): unknown };

describe('Electron fuses of the packaged app', () => {
  const config = yaml.load(fs.readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as {
    electronFuses?: Record<string, boolean>;
    asar?: boolean;
  };

  it('turn off RunAsNode, NODE_OPTIONS and --inspect; turn on cookie encryption, ASAR integrity and ASAR-only loading', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // ASAR integrity and ASAR-only loading mean nothing without an asar archive
    expect(config.asar).not.toBe(false);
  });

  it('names only fuses this electron-builder knows (a typo would be ignored silently)', () => {
    const types = fs.readFileSync(require.resolve('app-builder-lib/out/configuration.d.ts'), 'utf8');
    const known = /export interface FuseOptionsV1 \{([\s\S]*?)\n\}/.exec(types)?.[1] ?? '';
    for (const key of Object.keys(config.electronFuses ?? {}))
      expect(known, key).toMatch(new RegExp(`\\b${key}\\?: boolean`));
  });

  it('the app needs no RunAsNode: the engine runs in a utilityProcess', () => {
    const main = fs.readFileSync(path.join(REPO_ROOT, 'main', 'app', 'main.ts'), 'utf8');
    expect(main).toMatch(/utilityProcess\.fork\(/);
    expect(main).not.toMatch(/ELECTRON_RUN_AS_NODE|child_process/);
  });
});
