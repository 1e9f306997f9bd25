#!/usr/bin/env node
// Holds the .svelte components to the renderer's import boundary (scripts/layering.mjs), which ESLint applies to
// renderer/**/*.ts only: a component importing main/, Node or a native module fails `npm run lint`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_FORBIDDEN, RENDERER_RULE_MESSAGE } from './layering.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A gitignore-style pattern as ESLint reads it: `**` spans folders, `*` one name; it also matches what is under a match. */
const patternRegex = (pattern) => {
  const body = pattern
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '**'
          ? '.*'
          : part === '*'
            ? '[^/]*'
            : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}(?:/.*)?$`);
};
const FORBIDDEN = RENDERER_FORBIDDEN.map((p) => ({ pattern: p, regex: patternRegex(p) }));

const IMPORT_SPECIFIERS = [
  /\bimport\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
];

/** The forbidden imports in one component's source: [{ specifier, pattern }]. `file` is relative to the repository. */
export function forbiddenImports(source, file) {
  const found = [];
  for (const re of IMPORT_SPECIFIERS) {
    for (const m of source.matchAll(re)) {
      const specifier = m[1];
      const candidates = [specifier];
      if (specifier.startsWith('.')) {
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        candidates.push(resolved, specifier.replace(/^(\.\.?\/)+/, ''));
      }
      const hit = FORBIDDEN.find((f) => candidates.some((c) => f.regex.test(c)));
      if (hit) found.push({ specifier, pattern: hit.pattern });
    }
  }
  return found;
}

function svelteFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : svelteFiles(p);
    return e.name.endsWith('.svelte') ? [p] : [];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let failures = 0;
  const files = svelteFiles(path.join(ROOT, 'renderer'));
  for (const abs of files) {
    const file = path.relative(ROOT, abs).split(path.sep).join('/');
    for (const { specifier, pattern } of forbiddenImports(fs.readFileSync(abs, 'utf8'), file)) {
      console.error(`${file}: import '${specifier}' matches '${pattern}': ${RENDERER_RULE_MESSAGE}`);
      failures++;
    }
  }
  if (failures) process.exit(1);
  console.log(`svelte imports: ${files.length} components keep to the renderer's boundary`);
}
