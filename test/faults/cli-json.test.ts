/**
 * `--json` prints exactly one JSON document on stdout, errors included ({"error": {...}}); exit codes are 0 ok,
 * 1 failure (bad data and refused data folders included), 2 bad arguments only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scratch } from '../helpers/scratch.js';

/** The whole of stdout is one JSON document. */
function oneDocument(stdout: string): { error?: { code: string; message: string } } {
  expect(stdout.trim().startsWith('{') || stdout.trim().startsWith('[')).toBe(true);
  return JSON.parse(stdout) as { error?: { code: string; message: string } };
}

describe('--json errors', () => {
  it.each([
    [['dataset', 'show', '7'], 1, 'not_found'],
    [['dataset', 'show', 'seven'], 2, 'usage'],
    [['search', '--dataset', '3'], 1, 'not_found'],
    [['jobs', 'resume', '42'], 1, 'not_found'],
    [['dataset', 'import', '/nowhere/at/all'], 2, 'bad_input'],
    [['frobnicate'], 2, 'usage'],
  ])('winnow %j --json: one document, exit %i, code %s', async (args, exit, code) => {
    const r = await runCli([...args, '--json'], scratch('data'));
    expect(r.code, r.stderr).toBe(exit);
    const doc = oneDocument(r.stdout);
    expect(doc.error?.code).toBe(code);
    expect(doc.error?.message.length).toBeGreaterThan(10);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a refused data folder is an error document with exit 1', async () => {
    const data = scratch('data');
    fs.mkdirSync(path.join(data, 'datasets', '1'), { recursive: true });
    fs.writeFileSync(path.join(data, 'datasets', '1', 'images.u8'), 'x');
    const r = await runCli(['jobs', 'list', '--json'], data);
    expect(r.code).toBe(1);
    expect(oneDocument(r.stdout).error).toMatchObject({ code: 'data_folder' });
  });
});
