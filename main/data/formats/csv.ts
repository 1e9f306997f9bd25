/**
 * CSV manifest: a header row naming `path` and `label` (optional `group`, `split`), then one row per image.
 * RFC 4180: fields may be quoted ("a, b", "say ""hi"""), records end in CRLF, LF or CR, quoted fields may
 * hold line breaks; a UTF-8 BOM is ignored. Paths are relative to the CSV's folder unless absolute.
 *
 * Row numbers count records as a spreadsheet shows them: the header is row 1, the first image row 2.
 */
import path from 'node:path';
import type { Rejection, Split } from '../../../shared/datasets.js';
import type { FormatReader, ReaderOptions, SourceItem, SourceScan } from '../types.js';
import { SourceError } from '../types.js';
import {
  compareLabels,
  fingerprint,
  NOT_READABLE,
  osReason,
  stampOf,
  statMany,
  readRegularFile,
  spellOut,
  statSource,
  throwIfAborted,
  type FileInfo,
  type FileStamp,
} from './util.js';

export const CSV_COLUMNS = ['path', 'label', 'group', 'split'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const SPLITS: Readonly<Record<string, Split>> = { train: 'train', test: 'test', val: 'test' };

export interface CsvRecord {
  /** 1-based record number (the header is row 1). */
  row: number;
  fields: string[];
  /** Why the record could not be parsed, if it could not. */
  error?: string;
}

/** Parses RFC-4180 CSV text (BOM stripped by the caller). Never throws: malformed records carry `error`. */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const len = text.length;
  let i = 0;
  let row = 0;
  while (i < len) {
    row++;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field: string;
      if (text[i] === '"') {
        i++;
        field = '';
        for (;;) {
          const j = text.indexOf('"', i);
          if (j < 0) {
            field += text.slice(i);
            i = len;
            error ??= 'a quoted field is never closed (a missing ")';
            break;
          }
          field += text.slice(i, j);
          if (text[j + 1] === '"') {
            field += '"';
            i = j + 2;
          } else {
            i = j + 1;
            break;
          }
        }
        // After the closing quote: a delimiter, a line break or the end.
        if (i < len && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          error ??= 'unexpected text after a closing quote (quotes inside a quoted field are written "")';
          while (i < len && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
        }
      } else {
        const start = i;
        while (i < len && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
      }
      fields.push(field);
      if (i < len && text[i] === ',') {
        i++;
        if (i === len) fields.push('');
        else continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    const rec: CsvRecord = { row, fields };
    if (error) rec.error = error;
    out.push(rec);
  }
  return out;
}

function isBlank(r: CsvRecord): boolean {
  return !r.error && r.fields.length === 1 && r.fields[0]!.trim() === '';
}

interface Row {
  row: number;
  written: string;
  abs: string;
  label: string;
  group?: string;
  split?: Split;
}

/** What a header field must look like to be quoted back in a message. */
const COLUMN_NAME = /^[\p{L}\p{N} _.-]{1,32}$/u;

/** Labels are normalised to NFC; two spellings that become one label would merge two classes silently: refused. */
function refuseLabelCollisions(base: string, raw: ReadonlyMap<string, number>): void {
  const byNfc = new Map<string, [string, number]>();
  const clashes: string[] = [];
  for (const [label, row] of raw) {
    const first = byNfc.get(label.normalize('NFC'));
    if (!first) byNfc.set(label.normalize('NFC'), [label, row]);
    else
      clashes.push(
        `"${first[0]}" (row ${first[1]}, ${spellOut(first[0])}) and "${label}" (row ${row}, ${spellOut(label)})`,
      );
  }
  if (clashes.length) {
    throw new SourceError(
      `${base} writes the labels ${clashes.slice(0, 5).join(', ')} differently but they are the same once Unicode-normalised (NFC): ` +
        'importing would merge them into one class. Write each label one way, then import again.',
    );
  }
}

export const readCsv: FormatReader = async (p: string, options: ReaderOptions): Promise<SourceScan> => {
  const file = path.resolve(p);
  const st = await statSource(file);
  if (st.isDirectory())
    throw new SourceError(`${file} is a folder; choose the CSV manifest file (path,label[,group][,split]).`);
  const dir = path.dirname(file);
  const base = path.basename(file);
  let text: string;
  try {
    text = (await readRegularFile(file)).data.toString('utf8');
  } catch (err) {
    throw err instanceof SourceError ? err : new SourceError(`${file} cannot be read (${osReason(err)}).`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = parseCsv(text);
  const headerRec = records[0];
  if (!headerRec || isBlank(headerRec)) {
    throw new SourceError(
      `${base} is empty: expected a header row "path,label" (optionally also group and split), then one row per image.`,
    );
  }
  if (headerRec.error) throw new SourceError(`${base}: the header row cannot be read: ${headerRec.error}.`);
  const header = headerRec.fields.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) {
    // only what looks like a column name is quoted: the first line of a file that is no manifest (a key, a password
    // hash) never appears in a message, which the web API would return to its caller
    const named = unknown
      .filter((u) => u === '' || COLUMN_NAME.test(u))
      .map((u) => (u === '' ? 'an unnamed column' : `"${u}"`));
    const other = unknown.length - named.length;
    const parts = [
      ...named,
      ...(other
        ? [
            `${other} field${other > 1 ? 's' : ''} that ${other > 1 ? 'are' : 'is'} not a column name (is this a CSV manifest?)`,
          ]
        : []),
    ];
    throw new SourceError(
      `${base} has unknown column${unknown.length > 1 ? 's' : ''} ${parts.join(', ')}; the allowed columns are path, label, group, split.`,
    );
  }
  const dup = header.find((h, k) => header.indexOf(h) !== k);
  if (dup)
    throw new SourceError(
      `${base} names the column "${dup}" twice; each of path, label, group, split may appear once.`,
    );
  for (const need of ['path', 'label'] as const) {
    if (!header.includes(need)) {
      throw new SourceError(
        `${base} has no "${need}" column; the header row must name path and label (optionally also group and split).`,
      );
    }
  }
  const col = (c: Column): number => header.indexOf(c);
  const [cPath, cLabel, cGroup, cSplit] = [col('path'), col('label'), col('group'), col('split')];

  const rejected: Array<Rejection & { row: number }> = [];
  const reject = (row: number, written: string, reason: string): void => {
    rejected.push({ row, path: written || `${base} row ${row}`, reason: `row ${row}: ${reason}` });
  };
  const rows: Row[] = [];
  /** Each distinct label as written, with its first row (two spellings of one NFC name are refused). */
  const rawLabels = new Map<string, number>();
  for (const r of records.slice(1)) {
    if (isBlank(r)) continue;
    const written = cPath < r.fields.length ? r.fields[cPath]!.trim() : '';
    if (r.error) {
      reject(r.row, written, r.error);
      continue;
    }
    if (r.fields.length !== header.length) {
      reject(
        r.row,
        written,
        `expected ${header.length} field${header.length > 1 ? 's' : ''}, found ${r.fields.length}`,
      );
      continue;
    }
    const rawLabel = r.fields[cLabel]!.trim();
    const label = rawLabel.normalize('NFC');
    if (label && !rawLabels.has(rawLabel)) rawLabels.set(rawLabel, r.row);
    if (!written) {
      reject(r.row, written, 'empty path');
      continue;
    }
    if (!label) {
      reject(r.row, written, 'empty label');
      continue;
    }
    const row: Row = { row: r.row, written, abs: '', label };
    if (cGroup >= 0) {
      const g = r.fields[cGroup]!.trim();
      if (g) row.group = g;
    }
    if (cSplit >= 0) {
      const s = r.fields[cSplit]!.trim();
      if (s) {
        const split = SPLITS[s.toLowerCase()];
        if (!split) {
          reject(r.row, written, `split "${s}" is not train, test or val`);
          continue;
        }
        row.split = split;
      }
    }
    rows.push(row);
  }
  const hasOwnSplit = rows.some((r) => r.split);
  const withSplit = hasOwnSplit
    ? rows.filter((r) => {
        if (r.split) return true;
        reject(r.row, r.written, 'no split, but other rows have one (train, test or val)');
        return false;
      })
    : rows;

  // Do the files exist? (stat also gives the fingerprint's sizes and dates)
  for (const r of withSplit) r.abs = path.resolve(dir, r.written);
  const found = await statMany(
    withSplit.map((r) => r.abs),
    options.signal,
  );
  // A manifest written on Windows ("images\\cat\\1.png"): try again with slashes.
  const retry =
    path.sep === '/'
      ? withSplit.map((_r, k) => k).filter((k) => found[k] instanceof Error && withSplit[k]!.written.includes('\\'))
      : [];
  if (retry.length) {
    const again = await statMany(
      retry.map((k) => path.resolve(dir, withSplit[k]!.written.replace(/\\/g, '/'))),
      options.signal,
    );
    retry.forEach((k, n) => {
      const st2 = again[n]!;
      if (!(st2 instanceof Error)) {
        found[k] = st2;
        withSplit[k]!.abs = path.resolve(dir, withSplit[k]!.written.replace(/\\/g, '/'));
      }
    });
  }
  const stats = found.map((f): FileInfo | string => {
    if (f instanceof Error)
      return f.code === 'ENOENT' || f.code === 'ENOTDIR' ? 'file not found' : `cannot read file (${osReason(f)})`;
    if (!f.isFile) return 'not a file';
    return f.readable ? f : `cannot read file (${NOT_READABLE})`;
  });
  throwIfAborted(options.signal);

  const stamps = new Map<string, FileStamp>([[base, stampOf(base, st)]]);
  const kept: Row[] = [];
  withSplit.forEach((r, k) => {
    const s = stats[k]!;
    if (typeof s === 'string') {
      reject(r.row, r.written, s);
      return;
    }
    kept.push(r);
    const rel = path.relative(dir, r.abs);
    const key = rel.startsWith('..') || path.isAbsolute(rel) ? r.abs : rel.split(path.sep).join('/');
    if (!stamps.has(key)) stamps.set(key, stampOf(key, s));
  });
  rejected.sort((a, b) => a.row - b.row);

  if (kept.length === 0) {
    const first = rejected
      .slice(0, 3)
      .map((r) => r.reason)
      .join('; ');
    throw new SourceError(
      rejected.length
        ? `${base} lists no usable images: ${rejected.length === 1 ? 'its only row was' : `all ${rejected.length} rows were`} rejected (${first}${rejected.length > 3 ? '; …' : ''}).`
        : `${base} has a header but no rows: add one row per image (path,label).`,
    );
  }

  refuseLabelCollisions(base, rawLabels);
  const classes = [...new Set(kept.map((r) => r.label))].sort(compareLabels);
  const labelOf = new Map(classes.map((c, i) => [c, i]));
  const items: SourceItem[] = kept.map((r) => {
    const it: SourceItem = {
      source: r.written.replace(/\\/g, '/'),
      label: labelOf.get(r.label)!,
      payload: { kind: 'file', path: r.abs },
    };
    if (r.group !== undefined) it.group = r.group;
    if (r.split) it.split = r.split;
    return it;
  });
  const warnings: string[] = [];
  if (classes.length === 1) warnings.push(`Only one class (${classes[0]}) is listed; a search needs at least two.`);

  return {
    format: 'csv',
    root: file,
    classes,
    items,
    rejected: rejected.map(({ path: rp, reason }) => ({ path: rp, reason })),
    warnings,
    hasOwnSplit,
    native: null,
    fingerprint: fingerprint([...stamps.values()]),
  };
};
