/**
 * Every job form's field explains itself (issue #17): each parameter of every job kind's schema has one line of
 * help (its `.describe()` text, through shared/generated/params.ts), in words without CLI lines or camelCase, and
 * the papers it cites are keys of docs/REFERENCES.md; FieldHelp.svelte shows it through `fieldHelp`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as generated from '../../shared/generated/params.js';
import type { ParamDescription } from '../../shared/param-description.js';
import { withHelp } from '../../renderer/src/lib/form-fields.js';
import { citations, fieldHelp, parseReferences } from '../../renderer/src/lib/references.js';
import { DDS_FIELDS, TRAINING_FIELDS } from '../../renderer/src/lib/search-fields.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const known = new Set(
  parseReferences(fs.readFileSync(path.join(REPO_ROOT, 'docs/REFERENCES.md'), 'utf8')).map((p) => p.key),
);

/** Every parameter description the forms read: each `*_PARAMS` export, whatever kinds are added later. */
const FORMS = Object.entries(generated).filter(([name]) => name.endsWith('_PARAMS')) as [
  string,
  Record<string, ParamDescription>,
][];
const FIELDS = FORMS.flatMap(([form, fields]) => Object.values(fields).map((d) => ({ form, d })));

describe('every form field has help', () => {
  it('reads the parameters of every job form', () => {
    expect(FORMS.map(([name]) => name)).toEqual(
      expect.arrayContaining(['SEARCH_PARAMS', 'EVALUATE_PARAMS', 'COMPRESS_PARAMS', 'AUTOENCODER_PARAMS']),
    );
    expect(FORMS.map(([name]) => name)).toEqual(
      expect.arrayContaining(['IMPORT_PARAMS', 'DSM_PARAMS', 'NASWOT_PARAMS']),
    );
    expect(FIELDS.length).toBeGreaterThan(100);
  });

  it.each(FIELDS.map(({ form, d }) => [`${form}.${d.key}`, d] as const))('%s has one line of help', (_, d) => {
    const help = fieldHelp(d.description);
    expect(help, 'add a .describe() text to its zod schema in shared/').not.toBeNull();
    expect(help!.text.length).toBeGreaterThan(8);
    // one line a form can show under the field
    expect(help!.text.length).toBeLessThanOrEqual(160);
    // words for a user of the app: no command lines, no code names
    expect(help!.text).not.toMatch(/`|\bwinnow [a-z]|--[a-z]/);
    expect(help!.text).not.toMatch(/\b[a-z]+[A-Z][A-Za-z]*\b/);
    for (const c of help!.cites) expect(known, `[${c.key}] is not in docs/REFERENCES.md`).toContain(c.key);
  });

  it('cites the paper section where a field comes from a paper', () => {
    const cited = (key: string) =>
      citations(generated.SEARCH_PARAMS[key as keyof typeof generated.SEARCH_PARAMS].description);
    for (const key of ['mastery', 'hardness', 'hardnessWindow', 'cyclicLrBase', 'cyclicLrMax', 'cyclicLrStep'])
      expect(cited(key)[0]).toMatchObject({ key: 'DDS-NAS', section: expect.stringMatching(/^§\d/) });
    for (const key of ['pruneEvery', 'pruneTrain', 'pruneVal', 'balance'])
      expect(cited(key)[0]).toMatchObject({ key: 'BDP', section: expect.stringMatching(/^§3\.2\.\d/) });
  });
});

describe('fieldHelp', () => {
  it('drops the scope in front, takes the citations out as links and makes a sentence', () => {
    expect(fieldHelp('dds: an image counts as easy once this is reached [DDS-NAS §3.2]')).toEqual({
      text: 'An image counts as easy once this is reached.',
      cites: [{ key: 'DDS-NAS', section: '§3.2' }],
    });
    expect(fieldHelp('random / dds: images in the subset [DDS-NAS §4.1] [BDP]')).toEqual({
      text: 'Images in the subset.',
      cites: [
        { key: 'DDS-NAS', section: '§4.1' },
        { key: 'BDP', section: '' },
      ],
    });
  });

  it('keeps a symbol in front, lists in brackets and a sentence that ends already', () => {
    expect(fieldHelp('K: subspaces searched side by side')!.text).toBe('K: subspaces searched side by side.');
    expect(fieldHelp('stages per run, e.g. [5, 11, 17]?')!.text).toBe('Stages per run, e.g. [5, 11, 17]?');
    expect(fieldHelp('weight decay: pulls the weights towards 0')!.text).toBe(
      'Weight decay: pulls the weights towards 0.',
    );
  });

  it('is null without a text', () => {
    expect(fieldHelp(undefined)).toBeNull();
    expect(fieldHelp('  ')).toBeNull();
  });
});

describe('number fields take their help from the parameters', () => {
  it('fills each spec from the description of its key, keeping one the spec has', () => {
    const described = { a: { description: 'from the schema' }, b: {} };
    const specs = [
      { key: 'a', label: 'A', testid: 'a' },
      { key: 'b', label: 'B', testid: 'b' },
      { key: 'a', label: 'A', testid: 'a2', help: 'its own' },
    ];
    expect(withHelp(specs, described).map((f) => f.help)).toEqual(['from the schema', undefined, 'its own']);
  });

  it('gives the search form its fields’ help, the jargon ones in words', () => {
    for (const f of [...DDS_FIELDS, ...TRAINING_FIELDS]) expect(f.help, f.key).toBeTruthy();
    const window = DDS_FIELDS.find((f) => f.key === 'hardnessWindow')!;
    expect(fieldHelp(window.help)!.text).toMatch(/recent epochs/);
  });
});
