/**
 * Entry point of the format readers: `readSource` lists what a path holds (detecting the format for
 * 'auto'); `detectFormat` only says which format it is and why.
 */
import type { DatasetFormat, ImportFormat } from '../../../shared/datasets.js';
import type { FormatReader, ReaderOptions, SourceScan } from '../types.js';
import { readCifar10, readCifar100 } from './cifar.js';
import { readCsv } from './csv.js';
import { detectFormat, type Detection } from './detect.js';
import { readFolder } from './folder.js';
import { readIdx } from './idx.js';

export { detectFormat, SUPPORTED_LAYOUTS, type Detection } from './detect.js';
export { readCifar10, readCifar100 } from './cifar.js';
export { readCsv } from './csv.js';
export { readFolder } from './folder.js';
export { readIdx } from './idx.js';

export const READERS: Readonly<Record<DatasetFormat, FormatReader>> = {
  folder: readFolder,
  idx: readIdx,
  cifar10: readCifar10,
  cifar100: readCifar100,
  csv: readCsv,
};

/**
 * Reads the source at `path` with the reader of `format` ('auto': detected first). Throws a SourceError
 * when the source cannot be read at all, an Error named 'AbortError' when `options.signal` fires.
 */
export async function readSource(
  path: string,
  format: ImportFormat,
  options: ReaderOptions = {},
): Promise<SourceScan & { detection?: Detection }> {
  if (format === 'auto') {
    const detection = await detectFormat(path);
    const scan = await READERS[detection.format](path, options);
    return { ...scan, detection };
  }
  return READERS[format](path, options);
}
