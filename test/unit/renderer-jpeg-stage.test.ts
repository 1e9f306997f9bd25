/**
 * The JPEG stage fields of the autoencoder, search and evaluation forms: one check (lib/jpeg-stage.ts) that accepts
 * and refuses what each job kind's schema does, and each form's build sending the quality and the subsampling.
 */
import { describe, expect, it } from 'vitest';
import { AeTrainParams } from '../../shared/autoencoder.js';
import { EvaluateParams } from '../../shared/evaluate.js';
import { SearchParams } from '../../shared/search.js';
import { buildAeParams, defaultAeForm } from '../../renderer/src/lib/autoencoder.js';
import { buildEvaluateParams, defaultEvaluateForm, readGenotype } from '../../renderer/src/lib/evaluate.js';
import { JPEG_STAGE_DEFAULTS, buildJpegStage, type JpegStageForm } from '../../renderer/src/lib/jpeg-stage.js';
import { buildSearchParams, defaultSearchForm } from '../../renderer/src/lib/search.js';
import { expectFormAgreesWithSchema } from '../helpers/forms.js';
import { DARTS_TEXT } from '../helpers/genotype.js';

const dataset = { id: 1, classes: 10, width: 28, channels: 1 as const, splits: { train: 6000, test: 1000 } };

/** Each form's build with the stage's two fields set, and its job kind's schema. */
const FORMS = {
  autoencoder: {
    build: (stage: Partial<JpegStageForm>) => buildAeParams({ ...defaultAeForm(dataset), ...stage }),
    schema: AeTrainParams,
  },
  search: {
    build: (stage: Partial<JpegStageForm>) => buildSearchParams({ ...defaultSearchForm(dataset), ...stage }),
    schema: SearchParams,
  },
  evaluate: {
    build: (stage: Partial<JpegStageForm>) => {
      const form = { ...defaultEvaluateForm(), datasetId: 1, source: 'genotype' as const, genotypeText: DARTS_TEXT };
      return buildEvaluateParams({ ...form, ...stage }, readGenotype(DARTS_TEXT), null);
    },
    schema: EvaluateParams,
  },
};

describe('the JPEG stage of a job form', () => {
  it('starts on the original images, 4:2:0 ready for a quality', () => {
    expect(JPEG_STAGE_DEFAULTS).toEqual({ jpegQuality: null, jpegSubsampling: '4:2:0' });
    expect(buildJpegStage(JPEG_STAGE_DEFAULTS)).toEqual({
      ok: true,
      params: { jpegQuality: null, jpegSubsampling: '4:2:0' },
    });
    expect(buildJpegStage({ jpegQuality: 0, jpegSubsampling: '4:4:4' })).toMatchObject({
      ok: false,
      field: 'jpegQuality',
      error: expect.stringMatching(/1 to 100, or empty for the original images/),
    });
  });

  for (const [kind, { build, schema }] of Object.entries(FORMS))
    it(`${kind}: sends the stage, and accepts and refuses the quality exactly as the schema does`, () => {
      const originals = build({});
      if (!originals.ok) throw new Error(originals.error);
      expect(originals.params).toMatchObject({ jpegQuality: null, jpegSubsampling: '4:2:0' });
      expect(schema.parse(originals.params)).toMatchObject({ jpegQuality: null });

      const compressed = build({ jpegQuality: 15, jpegSubsampling: '4:4:4' });
      if (!compressed.ok) throw new Error(compressed.error);
      expect(schema.parse(compressed.params)).toMatchObject({ jpegQuality: 15, jpegSubsampling: '4:4:4' });

      for (const v of [-1, 0, 0.5, 1, 1.5, 50, 99.5, 100, 101]) {
        const built = build({ jpegQuality: v });
        expectFormAgreesWithSchema('jpegQuality', v, built, schema.safeParse({ ...originals.params, jpegQuality: v }));
      }
    });
});
