/**
 * File names made from what a user named things (a model, a dataset): what a download or an export is called, so
 * two files from different runs never read alike and none holds a character a file system refuses.
 */

/** Letters, digits and single dashes, lower case, at most `max` characters; '' when nothing usable is left. */
export function fileSlug(text: string, max = 60): string {
  return text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/**
 * The stem of a search's exports, named after the search: its id, dataset, algorithm and data selection, e.g.
 * `search-7-mnist-sample-gdas-dds` (then `-genotype.txt`, `-normal.svg`, ...). The id keeps it unique.
 */
export function searchFileStem(
  id: number,
  s: { datasetName: string | null; algorithm?: string; strategy: string },
): string {
  const parts = [
    `search-${id}`,
    fileSlug(s.datasetName ?? '', 30),
    fileSlug(s.algorithm ?? 'darts'),
    fileSlug(s.strategy),
  ];
  return parts.filter(Boolean).join('-');
}
