import type { ModelSummary } from '../../shared/evaluate.js';
import { columnsOf, recordOf, type ColumnCodec } from './columns.js';
import type { Db } from './db.js';
import { deleteWithFolder, insertRecord, insertWithFolder, newestFirst } from './folder-rows.js';
import type { DataPaths } from './paths.js';

/** A models row (with its dataset's name); the fields are those of ModelSummary, stored by CODEC. */
interface ModelRow {
  dir: string;
}

export type NewModel = Omit<ModelSummary, 'id' | 'datasetName' | 'createdAt'>;

const SELECT = 'SELECT m.*, d.name AS dataset_name FROM models m LEFT JOIN datasets d ON d.id = m.dataset_id';

/** How a model's fields are stored. */
const CODEC: ColumnCodec = { json: ['network', 'classNames', 'preprocessing'] };

const toSummary = (r: ModelRow): ModelSummary => recordOf(r, CODEC, ['dir']);

/** Stored models: what an evaluation trained or a user imported, with the folder holding model.json + weights. */
export class ModelsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: DataPaths,
  ) {}

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  insert(m: NewModel, commitFiles: (id: number) => string): number {
    const insertRow = () =>
      insertRecord(this.db, 'models', { ...columnsOf(m, CODEC), dir: '', created_at: Date.now() });
    return insertWithFolder(this.db, this.paths, 'models', insertRow, commitFiles);
  }

  list(datasetId?: number): ModelSummary[] {
    return newestFirst<ModelRow>(this.db, SELECT, 'm', datasetId).map(toSummary);
  }

  get(id: number): (ModelSummary & { dir: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE m.id = ?`).get(id) as ModelRow | undefined;
    return row ? { ...toSummary(row), dir: this.paths.toAbsolute(row.dir) } : undefined;
  }

  /** The model an evaluate job produced, if it finished and its model was stored. */
  byJob(jobId: number): (ModelSummary & { dir: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE m.job_id = ? ORDER BY m.id DESC LIMIT 1`).get(jobId) as
      ModelRow | undefined;
    return row ? { ...toSummary(row), dir: this.paths.toAbsolute(row.dir) } : undefined;
  }

  /** Removes the row; returns the folder to delete (the caller removes files after the row is gone). */
  delete(id: number): string | undefined {
    return deleteWithFolder(this.db, this.paths, 'models', id);
  }
}
