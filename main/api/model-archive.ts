/**
 * A stored model as one file, `<name>.winnow-model.zip` (model.json, its weights, report.json and genotype.json
 * when there is one, at the archive's root, so an unpacked copy loads with tf.loadLayersModel), and the way back:
 * models.import takes such an archive as well as a folder. Four loose downloads lose their pairing the moment a
 * second model is saved beside them (`model (1).json` no longer names its `weights.bin`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelFile } from '../../shared/evaluate.js';
import { MODEL_FILES, ModelFolderError, readModelFolder } from '../engine/evaluate/model-folder.js';
import { extractEntry, listZip, ZipFormatError } from '../zip/read.js';
import { zipMembers } from '../zip/write.js';
import { ApiError } from './errors.js';
import { fileSlug } from '../../shared/file-names.js';

export const MODEL_ARCHIVE_SUFFIX = '.winnow-model.zip';

/** What an archive may hold: the model's own files, flat. Anything else is refused, not skipped. */
const MEMBER_NAME = /^(?:model\.json|report\.json|genotype\.json|[\w.-]+\.bin)$/;
/** Larger than any network Winnow trains by far; a bigger archive is not one of its models. */
const MAX_UNPACKED_BYTES = 2 ** 31;

/** A file name made from the model's name: letters, digits and dashes, never empty. */
export function archiveName(modelName: string, id: number): string {
  const slug = fileSlug(modelName);
  return `${slug || `model-${id}`}${MODEL_ARCHIVE_SUFFIX}`;
}

/** The archive of a stored model folder, base64 for the API. */
export function modelArchive(m: { id: number; name: string; dir: string }): ModelFile {
  let folder: ReturnType<typeof readModelFolder>;
  try {
    folder = readModelFolder(m.dir);
  } catch (e) {
    if (e instanceof ModelFolderError)
      throw new ApiError('conflict', `Model ${m.id} cannot be packed: ${e.message} Delete it and evaluate again.`);
    throw e;
  }
  const names = [
    MODEL_FILES.modelJson,
    ...folder.weightFiles,
    MODEL_FILES.report,
    ...(folder.hasGenotype ? [MODEL_FILES.genotype] : []),
  ];
  const zip = zipMembers(names.map((name) => ({ name, data: fs.readFileSync(path.join(m.dir, name)) })));
  return {
    filename: archiveName(m.name, m.id),
    mime: 'application/zip',
    encoding: 'base64',
    data: zip.toString('base64'),
  };
}

/**
 * Unpacks a model archive into the empty folder `into`, refusing (bad_input, nothing left behind by the caller's
 * cleanup) an archive that is not a zip or holds anything but a model's files.
 */
export async function unpackModelArchive(file: string, into: string): Promise<void> {
  let entries: ReturnType<typeof listZip>;
  try {
    entries = listZip(file);
  } catch (e) {
    if (e instanceof ZipFormatError)
      throw new ApiError('bad_input', `${e.message} Choose a ${MODEL_ARCHIVE_SUFFIX} file or a model folder.`);
    throw e;
  }
  const seen = new Set<string>();
  let total = 0;
  for (const entry of entries) {
    if (!MEMBER_NAME.test(entry.name) || seen.has(entry.name))
      throw new ApiError(
        'bad_input',
        `${file} holds ${JSON.stringify(entry.name.slice(0, 80))}, which is not part of a Winnow model (model.json, *.bin, report.json, genotype.json, once each).`,
      );
    seen.add(entry.name);
    total += entry.size;
  }
  if (total > MAX_UNPACKED_BYTES)
    throw new ApiError('bad_input', `${file} unpacks to ${total} bytes, more than any Winnow model; it is not one.`);
  try {
    for (const entry of entries) await extractEntry(file, entry, path.join(into, entry.name));
  } catch (e) {
    if (e instanceof ZipFormatError) throw new ApiError('bad_input', `${e.message} The archive is damaged.`);
    throw e;
  }
}
