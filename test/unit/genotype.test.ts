import { describe, expect, it } from 'vitest';
import { parseGenotype, parseGenotypeJson, toGenotypeJson, type GenotypeProvenance } from '../../shared/genotype.js';
import type { DartsGenotype, Genotype } from '../../shared/genotype/ops.js';
import { formatDartsGenotype, formatGenotype, parseDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import {
  DARTS_V1,
  DARTS_V2_TEXT,
  DARTS_V2_PRINTED,
  NB201_BEST,
  NB201_EXAMPLE,
  DARTS_V2_NORMAL_WEIGHTS,
} from '../fixtures/genotypes.js';
import { formatError } from '../helpers/genotype.js';

describe('parseGenotype', () => {
  it.each([
    [NB201_BEST, 'nb201'],
    [`  ${NB201_BEST}`, 'nb201'],
    [DARTS_V2_TEXT, 'darts'],
    [DARTS_V2_PRINTED, 'darts'],
  ])('detects the format by content (case %#)', (text, space) => expect(parseGenotype(text).space).toBe(space));

  it('reads the printed and the written DARTS forms alike', () => {
    expect(parseGenotype(DARTS_V2_PRINTED)).toEqual(parseDartsGenotype(DARTS_V2_TEXT));
  });
  it('rejects anything else', () => {
    expect(formatError(() => parseGenotype('resnet18')).message).toContain('not a genotype');
    expect(formatError(() => parseGenotype('')).message).toContain('not a genotype');
  });
});

const provenance = (space: 'darts' | 'nb201'): GenotypeProvenance => ({
  app: 'winnow 0.1.0',
  createdAt: '2025-01-02T03:04:05.000Z',
  jobId: 12,
  datasetId: 3,
  datasetName: 'cifar10-subset <test> & "quotes"',
  datasetHash: 'sha256:abc123',
  space,
  strategy: 'dds',
  seed: 7,
  epochs: 50,
  alphas:
    space === 'darts'
      ? { normal: DARTS_V2_NORMAL_WEIGHTS, reduce: DARTS_V2_NORMAL_WEIGHTS }
      : { normal: [[0.2, 0.2, 0.2, 0.2, 0.2]] },
  metrics: { valAccuracy: 0.91, searchSeconds: 1234.5 },
});

describe('genotype JSON', () => {
  it('round-trips through JSON text with its provenance', () => {
    for (const g of [parseDartsGenotype(DARTS_V2_TEXT), parseNb201(NB201_EXAMPLE)] as Genotype[]) {
      const doc = toGenotypeJson(g, provenance(g.space));
      expect(doc.format).toBe('winnow-genotype');
      expect(doc.version).toBe(1);
      expect(doc.text).toBe(formatGenotype(g));
      const back = parseGenotypeJson(JSON.stringify(doc, null, 2));
      expect(back).toEqual(doc);
      expect(back.genotype).toEqual(g);
      expect(parseGenotype(JSON.stringify(doc))).toEqual(g);
    }
    const nullable: GenotypeProvenance = {
      ...provenance('nb201'),
      jobId: null,
      datasetId: null,
      datasetName: null,
      datasetHash: null,
      alphas: null,
    };
    expect(parseGenotypeJson(JSON.stringify(toGenotypeJson(parseNb201(NB201_BEST), nullable))).provenance).toEqual(
      nullable,
    );
  });

  it('rejects tampered or malformed documents', () => {
    const doc = toGenotypeJson(parseDartsGenotype(DARTS_V2_TEXT), provenance('darts'));
    const tampered = { ...doc, text: formatDartsGenotype(parseDartsGenotype(DARTS_V1)) };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(tampered))).message).toContain(
      "'text' field does not match",
    );
    const garbage = { ...doc, text: 'hello' };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(garbage))).message).toContain(
      "'text' field is not a genotype",
    );
    const wrongSpace = { ...doc, provenance: { ...doc.provenance, space: 'nb201' } };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(wrongSpace))).message).toContain('provenance.space');
    const badIndex = {
      ...doc,
      genotype: {
        ...doc.genotype,
        normal: [...(doc.genotype as DartsGenotype).normal.slice(0, 7), ['dil_conv_3x3', 9]],
      },
    };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(badIndex))).message).toContain('bad input index');
    expect(formatError(() => parseGenotypeJson('{"format": "winnow-genotype"')).message).toContain('not valid JSON');
    expect(formatError(() => parseGenotypeJson(JSON.stringify({ ...doc, version: 2 }))).message).toMatch(
      /not a winnow genotype document: version/,
    );
    const noSeed = { ...doc, provenance: { ...doc.provenance, seed: 1.5 } };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(noSeed))).message).toContain('provenance.seed');
    expect(() => toGenotypeJson(parseNb201(NB201_BEST), provenance('darts'))).toThrow(/provenance says darts/);
  });
});
