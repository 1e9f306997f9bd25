import type {
  ClassCount,
  DatasetDetail,
  DatasetSummary,
  DuplicateReport,
  GroupCount,
  ImportParams,
  Rejection,
  SearchHalf,
  Split,
} from '../../shared/datasets.js';
import type { Db } from './db.js';
import { deleteWithFolder, insertRecord, insertWithFolder } from './folder-rows.js';
import type { DataPaths } from './paths.js';
import { columnsOf, recordOf, type ColumnCodec } from './columns.js';

interface DatasetRow {
  id: number;
  name: string;
  format: DatasetSummary['format'];
  source: string;
  source_fingerprint: string;
  width: number;
  height: number;
  channels: 1 | 3;
  images: number;
  dir: string;
  bytes: number;
  options: string;
  duplicates: string;
  import_job_id: number | null;
  created_at: number;
  classes: number;
  train: number;
  test: number;
  groups: number;
  rejected: number;
}

/** A dataset's per-image columns, one entry per stored image in the order of the packed file. */
export interface DatasetRows {
  label: number[];
  split: Split[];
  half: Array<SearchHalf | null>;
  group: Array<string | null>;
  source: string[];
  hash: string[];
}

/** Everything the store needs to record one imported dataset. */
export interface NewDataset extends Pick<
  DatasetSummary,
  'name' | 'format' | 'source' | 'width' | 'height' | 'channels'
> {
  fingerprint: string;
  dir: string;
  bytes: number;
  options: ImportParams;
  duplicates: DuplicateReport;
  importJobId: number | null;
  classes: string[];
  rows: DatasetRows;
  rejected: Rejection[];
}

export interface ImageRow {
  index: number;
  label: number;
  split: Split;
  half: SearchHalf | null;
  group: string | null;
  source: string;
}

const SUMMARY_SQL = `
  SELECT d.*,
    (SELECT COUNT(*) FROM dataset_classes c WHERE c.dataset_id = d.id) AS classes,
    (SELECT COUNT(*) FROM dataset_images i WHERE i.dataset_id = d.id AND i.split = 'train') AS train,
    (SELECT COUNT(*) FROM dataset_images i WHERE i.dataset_id = d.id AND i.split = 'test') AS test,
    (SELECT COUNT(*) FROM dataset_images i WHERE i.dataset_id = d.id AND i.grp IS NOT NULL) AS groups,
    (SELECT COUNT(*) FROM dataset_rejections r WHERE r.dataset_id = d.id) AS rejected
  FROM datasets d`;

/** How a dataset's fields are stored. */
const CODEC: ColumnCodec = { json: ['options', 'duplicates'] };

/** The columns a summary leaves out (or gives in another form: the split counts, groups, rejections). */
const NOT_SUMMARY = ['sourceFingerprint', 'dir', 'options', 'duplicates', 'train', 'test', 'groups', 'rejected'];

function toSummary(r: DatasetRow): DatasetSummary {
  return {
    ...recordOf<Omit<DatasetSummary, 'splits' | 'hasGroups' | 'rejectedCount'>>(r, CODEC, NOT_SUMMARY),
    splits: { train: r.train, test: r.test },
    hasGroups: r.groups > 0,
    rejectedCount: r.rejected,
  };
}

export class DatasetsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: DataPaths,
  ) {}

  /**
   * Inserts a dataset with all its rows in one transaction; `commitFiles` runs inside it (moving the files
   * into place), so either both the rows and the files exist, or neither does.
   */
  insert(d: NewDataset, commitFiles: (id: number) => string): number {
    const insertRows = (): number => {
      const id = insertRecord(this.db, 'datasets', {
        ...columnsOf(d, CODEC),
        source_fingerprint: d.fingerprint,
        images: d.rows.label.length,
        dir: '',
        created_at: Date.now(),
      });
      const cls = this.db.prepare('INSERT INTO dataset_classes (dataset_id, label, name) VALUES (?, ?, ?)');
      d.classes.forEach((name, label) => cls.run(id, label, name));
      const img = this.db.prepare(
        'INSERT INTO dataset_images (dataset_id, idx, label, split, search_half, grp, source, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const r = d.rows;
      for (let i = 0; i < r.label.length; i++)
        img.run(id, i, r.label[i], r.split[i], r.half[i], r.group[i], r.source[i], r.hash[i]);
      const rej = this.db.prepare('INSERT INTO dataset_rejections (dataset_id, seq, path, reason) VALUES (?, ?, ?, ?)');
      d.rejected.forEach((x, seq) => rej.run(id, seq, x.path, x.reason));
      return id;
    };
    return insertWithFolder(this.db, this.paths, 'datasets', insertRows, commitFiles);
  }

  list(): DatasetSummary[] {
    return (this.db.prepare(`${SUMMARY_SQL} ORDER BY d.id DESC`).all() as DatasetRow[]).map(toSummary);
  }

  get(id: number): DatasetSummary | undefined {
    const row = this.db.prepare(`${SUMMARY_SQL} WHERE d.id = ?`).get(id) as DatasetRow | undefined;
    return row ? toSummary(row) : undefined;
  }

  /** Every dataset's name by id (cheap: no per-image counts). */
  names(): Map<number, string> {
    const rows = this.db.prepare('SELECT id, name FROM datasets').all() as Array<{ id: number; name: string }>;
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Folder holding the packed images file (absolute). */
  dir(id: number): string | undefined {
    const row = this.db.prepare('SELECT dir FROM datasets WHERE id = ?').get(id) as { dir: string } | undefined;
    return row ? this.paths.toAbsolute(row.dir) : undefined;
  }

  detail(id: number): DatasetDetail | undefined {
    const row = this.db.prepare(`${SUMMARY_SQL} WHERE d.id = ?`).get(id) as DatasetRow | undefined;
    if (!row) return undefined;
    const classNames = (
      this.db.prepare('SELECT name FROM dataset_classes WHERE dataset_id = ? ORDER BY label').all(id) as Array<{
        name: string;
      }>
    ).map((c) => c.name);
    const counts = this.db
      .prepare(
        'SELECT label, split, search_half AS half, COUNT(*) AS n FROM dataset_images WHERE dataset_id = ? GROUP BY label, split, search_half',
      )
      .all(id) as Array<{ label: number; split: Split; half: SearchHalf | null; n: number }>;
    const perClass: ClassCount[] = classNames.map((name, label) => ({
      label,
      name,
      train: 0,
      test: 0,
      trainW: 0,
      trainA: 0,
    }));
    for (const c of counts) {
      const pc = perClass[c.label];
      if (!pc) continue;
      pc[c.split] += c.n;
      if (c.half === 'w') pc.trainW += c.n;
      if (c.half === 'a') pc.trainA += c.n;
    }
    const groupRows = this.db
      .prepare(
        'SELECT grp, split, COUNT(*) AS n FROM dataset_images WHERE dataset_id = ? AND grp IS NOT NULL GROUP BY grp, split ORDER BY grp',
      )
      .all(id) as Array<{ grp: string; split: Split; n: number }>;
    const groups = new Map<string, GroupCount>();
    for (const g of groupRows) {
      const entry = groups.get(g.grp) ?? { group: g.grp, train: 0, test: 0 };
      entry[g.split] += g.n;
      groups.set(g.grp, entry);
    }
    return {
      ...toSummary(row),
      classNames,
      perClass,
      groups: [...groups.values()],
      duplicates: JSON.parse(row.duplicates) as DuplicateReport,
      options: JSON.parse(row.options) as ImportParams,
    };
  }

  /** Every dataset's source fingerprint (the import job refuses a source stored before). */
  fingerprints(): Array<{ id: number; name: string; fingerprint: string }> {
    return this.db
      .prepare('SELECT id, name, source_fingerprint AS fingerprint FROM datasets ORDER BY id DESC')
      .all() as Array<{ id: number; name: string; fingerprint: string }>;
  }

  findByFingerprint(fingerprint: string): DatasetSummary[] {
    return (
      this.db
        .prepare(`${SUMMARY_SQL} WHERE d.source_fingerprint = ? ORDER BY d.id DESC`)
        .all(fingerprint) as DatasetRow[]
    ).map(toSummary);
  }

  /** Image rows in stored order, optionally one class and/or split; paged. */
  /** The rows of the given stored indices, in that order (an index the dataset does not have is an error). */
  imagesAt(id: number, indices: readonly number[]): ImageRow[] {
    const stmt = this.db.prepare(
      'SELECT idx AS "index", label, split, search_half AS half, grp AS "group", source FROM dataset_images WHERE dataset_id = ? AND idx = ?',
    );
    return indices.map((i) => {
      const row = stmt.get(id, i) as ImageRow | undefined;
      if (!row) throw new RangeError(`Dataset ${id} has no image ${i}.`);
      return row;
    });
  }

  images(
    id: number,
    filter: { label?: number; split?: Split; offset: number; limit: number },
  ): { total: number; rows: ImageRow[] } {
    const where = ['dataset_id = ?'];
    const args: unknown[] = [id];
    if (filter.label !== undefined) {
      where.push('label = ?');
      args.push(filter.label);
    }
    if (filter.split !== undefined) {
      where.push('split = ?');
      args.push(filter.split);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM dataset_images WHERE ${w}`).get(...args) as { n: number })
      .n;
    const rows = this.db
      .prepare(
        `SELECT idx AS "index", label, split, search_half AS half, grp AS "group", source FROM dataset_images WHERE ${w} ORDER BY idx LIMIT ? OFFSET ?`,
      )
      .all(...args, filter.limit, filter.offset) as ImageRow[];
    return { total, rows };
  }

  /** All labels, splits and search halves in stored order (for training). */
  labels(id: number): { label: Int32Array; split: Split[]; half: Array<SearchHalf | null> } {
    const rows = this.db
      .prepare('SELECT label, split, search_half AS half FROM dataset_images WHERE dataset_id = ? ORDER BY idx')
      .all(id) as Array<{
      label: number;
      split: Split;
      half: SearchHalf | null;
    }>;
    return {
      label: Int32Array.from(rows, (r) => r.label),
      split: rows.map((r) => r.split),
      half: rows.map((r) => r.half),
    };
  }

  /** Each image's group (null = none), in stored order. */
  groups(id: number): Array<string | null> {
    return (
      this.db.prepare('SELECT grp FROM dataset_images WHERE dataset_id = ? ORDER BY idx').all(id) as Array<{
        grp: string | null;
      }>
    ).map((r) => r.grp);
  }

  /** Each image's content hash (of its stored pixels), label, split and search half, in stored order. */
  contentRows(id: number): Array<{ hash: string; label: number; split: Split; half: SearchHalf | null }> {
    return this.db
      .prepare('SELECT hash, label, split, search_half AS half FROM dataset_images WHERE dataset_id = ? ORDER BY idx')
      .all(id) as Array<{
      hash: string;
      label: number;
      split: Split;
      half: SearchHalf | null;
    }>;
  }

  rejections(id: number, offset: number, limit: number): { total: number; items: Rejection[] } {
    const total = (
      this.db.prepare('SELECT COUNT(*) AS n FROM dataset_rejections WHERE dataset_id = ?').get(id) as { n: number }
    ).n;
    const items = this.db
      .prepare('SELECT path, reason FROM dataset_rejections WHERE dataset_id = ? ORDER BY seq LIMIT ? OFFSET ?')
      .all(id, limit, offset) as Rejection[];
    return { total, items };
  }

  /** Removes the rows; returns the folder to delete (the caller removes files after the rows are gone). */
  delete(id: number): string | undefined {
    return deleteWithFolder(this.db, this.paths, 'datasets', id);
  }
}
