import type { ModelOrigin, ModelPreprocessing, ModelSummary, NetworkDescription } from '../../shared/evaluate.js';
import type { Db } from './db.js';
import { deleteWithFolder, insertRecord, insertWithFolder, newestFirst } from './folder-rows.js';
import type { DataPaths } from './paths.js';

interface ModelRow {
  id: number;
  name: string;
  origin: ModelOrigin;
  job_id: number | null;
  dataset_id: number | null;
  dataset_name: string | null;
  network: string | null;
  class_names: string;
  preprocessing: string;
  parameters: number;
  multiply_adds: number;
  test_accuracy: number | null;
  genotype_text: string | null;
  dir: string;
  created_at: number;
}

export type NewModel = Omit<ModelSummary, 'id' | 'datasetName' | 'createdAt'>;

const SELECT = 'SELECT m.*, d.name AS dataset_name FROM models m LEFT JOIN datasets d ON d.id = m.dataset_id';

function toSummary(r: ModelRow): ModelSummary {
  return {
    id: r.id,
    name: r.name,
    origin: r.origin,
    jobId: r.job_id,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    network: r.network ? (JSON.parse(r.network) as NetworkDescription) : null,
    classNames: JSON.parse(r.class_names) as string[],
    preprocessing: JSON.parse(r.preprocessing) as ModelPreprocessing,
    parameters: r.parameters,
    multiplyAdds: r.multiply_adds,
    testAccuracy: r.test_accuracy,
    genotypeText: r.genotype_text,
    createdAt: r.created_at,
  };
}

/** Stored models: what an evaluation trained or a user imported, with the folder holding model.json + weights. */
export class ModelsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: DataPaths,
  ) {}

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  insert(m: NewModel, commitFiles: (id: number) => string): number {
    const insertRow = () =>
      insertRecord(this.db, 'models', {
        name: m.name,
        origin: m.origin,
        job_id: m.jobId,
        dataset_id: m.datasetId,
        network: m.network ? JSON.stringify(m.network) : null,
        class_names: JSON.stringify(m.classNames),
        preprocessing: JSON.stringify(m.preprocessing),
        parameters: m.parameters,
        multiply_adds: m.multiplyAdds,
        test_accuracy: m.testAccuracy,
        genotype_text: m.genotypeText,
        dir: '',
        created_at: Date.now(),
      });
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
