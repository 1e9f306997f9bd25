// Adds up the JSON reports of the vitest runs (unit, integration, faults, e2e, backend) into one closing line.
import fs from 'node:fs';
import path from 'node:path';

const dir = 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
const parts = [];
for (const name of ['unit', 'integration', 'faults', 'e2e', 'backend']) {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) continue;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  parts.push(`${name} ${r.numPassedTests}/${r.numTotalTests}`);
}
console.log(`(${parts.join(', ')})`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
