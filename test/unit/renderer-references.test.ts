/**
 * The papers list the app shows (renderer/src/lib/references.ts): read from docs/REFERENCES.md itself, and the
 * citations in help texts that link to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { citations, paperHref, paperOf, parseReferences } from '../../renderer/src/lib/references.js';
import { DDS_FIELDS } from '../../renderer/src/lib/search-fields.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const papers = parseReferences(fs.readFileSync(path.join(REPO_ROOT, 'docs/REFERENCES.md'), 'utf8'));

describe('the papers list', () => {
  it('reads every key of the table, with its title and year', () => {
    const keys = papers.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['DDS-NAS', 'BDP', 'DARTS', 'NASWOT', 'DSM-NAS']));
    expect(new Set(keys).size).toBe(keys.length);
    const dds = papers.find((p) => p.key === 'DDS-NAS')!;
    expect(dds.title).toMatch(/^DDS-NAS: Dynamic Data Selection/);
    expect(dds.year).toBe('2025');
    expect(parseReferences('| key | authors |\n|---|---|\nnot a row')).toEqual([]);
  });

  it('every paper a DDS field cites is in the list', () => {
    const known = new Set(papers.map((p) => p.key));
    const cited = DDS_FIELDS.flatMap((f) => citations(f.title));
    expect(cited.length).toBeGreaterThan(0);
    for (const c of cited) expect(known.has(c.key), c.key).toBe(true);
  });
});

describe('citations', () => {
  it('finds keys and sections once each, and only known keys when asked', () => {
    expect(citations('rule [DDS-NAS §3]; also [BDP] and [DDS-NAS §4]')).toEqual([
      { key: 'DDS-NAS', section: '§3' },
      { key: 'BDP', section: '' },
    ]);
    expect(citations('a list [0, 1] of [X]', new Set(['DDS-NAS']))).toEqual([]);
  });

  it('links to the entry on the Settings page and reads the link back', () => {
    expect(paperHref('beta-DARTS')).toBe('#/settings?paper=beta-DARTS');
    expect(paperOf(paperHref('DDS-NAS'))).toBe('DDS-NAS');
    expect(paperOf('#/settings')).toBeNull();
  });
});
