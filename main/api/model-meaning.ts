/**
 * The meaning checks on a stored model (shared/meaning.ts): its report.json's test report, read back from the
 * model's folder, and the refusal of a compression study of a model at chance level or answering one class.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelReportFile } from '../../shared/evaluate.js';
import { modelNotes, type MeaningNote } from '../../shared/meaning.js';
import { ApiError } from './errors.js';

/** The notes on a stored model's test report; none when its folder holds no readable report with a test. */
export function storedModelNotes(dir: string): MeaningNote[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
  } catch {
    return [];
  }
  const parsed = ModelReportFile.safeParse(raw);
  return parsed.success && parsed.data.test ? modelNotes(parsed.data.test) : [];
}

/** Refuses a study of a model whose test report means nothing, unless the study allows it; says how to go on. */
export function refuseMeaninglessModel(
  model: { id: number; name: string; dir: string },
  allowMeaninglessModel: boolean,
): void {
  if (allowMeaninglessModel) return;
  const warnings = storedModelNotes(model.dir).filter((n) => n.level === 'warn');
  if (warnings.length === 0) return;
  throw new ApiError(
    'bad_input',
    `Model ${model.id} ("${model.name}") would make this study meaningless: ${warnings.map((w) => w.message).join(' ')} ` +
      `A study of it measures noise. ${warnings[0]!.advice} To study it anyway, tick "use it anyway" ` +
      '(allowMeaninglessModel: true; on the command line, --allow-meaningless-model).',
  );
}
