import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reads name and version from the package.json above this file (works from sources and from dist/). */
function readPackage(): { name: string; version: string; root: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = createRequire(import.meta.url)(p) as { name?: string; version?: string };
      if (pkg.name === 'winnow') return { name: 'Winnow', version: pkg.version ?? '0.0.0', root: dir };
    }
  }
  return { name: 'Winnow', version: '0.0.0', root: process.cwd() };
}

const pkg = readPackage();
export const APP_NAME = pkg.name;
export const APP_VERSION = pkg.version;
/** The folder holding Winnow's package.json and node_modules (where `winnow setup tensorflow` installs). */
export const APP_ROOT = pkg.root;
