import type { ModelSummary } from '../../shared/evaluate.js';
import { columnsOf, recordOf, type ColumnCodec } from './columns.js';
import { FolderRepo } from './folder-rows.js';

/** A models row (with its dataset's name); the fields are those of ModelSummary, stored by CODEC. */
interface ModelRow {
  dir: string;
}

export type NewModel = Omit<ModelSummary, 'id' | 'datasetName' | 'createdAt'>;

const SELECT = 'SELECT m.*, d.name AS dataset_name FROM models m LEFT JOIN datasets d ON d.id = m.dataset_id';

/** How a model's fields are stored. */
const CODEC: ColumnCodec = { json: ['network', 'classNames', 'preprocessing'] };

/** Stored models: what an evaluation trained or a user imported, with the folder holding model.json + weights. */
export class ModelsRepo extends FolderRepo<ModelRow, ModelSummary> {
  protected readonly table = 'models';
  protected readonly select = SELECT;
  protected readonly alias = 'm';
  protected toSummary(r: ModelRow): ModelSummary {
    return recordOf(r, CODEC, ['dir']);
  }

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  insert(m: NewModel, commitFiles: (id: number) => string): number {
    return this.insertColumns(columnsOf(m, CODEC), commitFiles);
  }

  get(id: number): (ModelSummary & { dir: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE m.id = ?`).get(id) as ModelRow | undefined;
    return row ? { ...this.toSummary(row), dir: this.paths.toAbsolute(row.dir) } : undefined;
  }

  /** The model an evaluate job produced, if it finished and its model was stored. */
  byJob(jobId: number): (ModelSummary & { dir: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE m.job_id = ? ORDER BY m.id DESC LIMIT 1`).get(jobId) as
      ModelRow | undefined;
    return row ? { ...this.toSummary(row), dir: this.paths.toAbsolute(row.dir) } : undefined;
  }
}
