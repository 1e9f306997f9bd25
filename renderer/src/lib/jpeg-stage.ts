/**
 * The JPEG stage of the autoencoder, search and evaluation forms [Poyser-thesis §6]: an optional quality (empty: the
 * original images) and the chroma subsampling it is saved with. One place for its form values, its check and the
 * two parameters it sends, so the three forms agree.
 */
import { COMPRESS_LIMITS, type Subsampling } from '../../../shared/compress-defaults.js';
import { intIn } from '../../../shared/param-checks.js';

/** What the two fields hold: null quality while the field is empty (the originals). */
export interface JpegStageForm {
  jpegQuality: number | null;
  jpegSubsampling: Subsampling;
}

export const JPEG_STAGE_DEFAULTS: Readonly<JpegStageForm> = { jpegQuality: null, jpegSubsampling: '4:2:0' };

export type JpegStageBuild = { ok: true; params: JpegStageForm } | { ok: false; field: 'jpegQuality'; error: string };

/** The job's `jpegQuality` and `jpegSubsampling`, or what is wrong with the quality in words. */
export function buildJpegStage(form: JpegStageForm): JpegStageBuild {
  const q = form.jpegQuality;
  const { min, max } = COMPRESS_LIMITS.quality;
  if (q != null && !intIn(q, COMPRESS_LIMITS.quality))
    return {
      ok: false,
      field: 'jpegQuality',
      error: `JPEG quality: a whole number from ${min} to ${max}, or empty for the original images.`,
    };
  return { ok: true, params: { jpegQuality: q, jpegSubsampling: form.jpegSubsampling } };
}
