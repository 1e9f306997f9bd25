import type { AeDetail, AeLoss, AeMetrics, AePreset, AeSummary } from '../../shared/autoencoder.js';
import type { Db } from './db.js';
import { deleteWithFolder, insertRecord, insertWithFolder, newestFirst } from './folder-rows.js';
import type { DataPaths } from './paths.js';

interface AeRow {
  id: number;
  dataset_id: number;
  dataset_name: string;
  job_id: number | null;
  preset: AePreset | 'custom';
  losses: string;
  kendall: number;
  dim: number;
  epochs: number;
  batch: number;
  seed: number;
  untrained: number;
  backend: string;
  metrics: string;
  history: string;
  map_method: string;
  dir: string;
  created_at: number;
}

/** What an autoencoder job leaves to record: its summary less what the store assigns, with its history and map. */
export type NewAutoencoder = Omit<AeSummary, 'id' | 'datasetName' | 'createdAt'> & {
  history: AeDetail['history'];
  mapMethod: string;
};

const SELECT = 'SELECT a.*, d.name AS dataset_name FROM autoencoders a JOIN datasets d ON d.id = a.dataset_id';

function toSummary(r: AeRow): AeSummary {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    jobId: r.job_id,
    preset: r.preset,
    losses: JSON.parse(r.losses) as AeLoss[],
    kendall: r.kendall === 1,
    dim: r.dim,
    epochs: r.epochs,
    batch: r.batch,
    seed: r.seed,
    untrained: r.untrained === 1,
    backend: r.backend,
    metrics: JSON.parse(r.metrics) as AeMetrics,
    createdAt: r.created_at,
  };
}

export class AutoencodersRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: DataPaths,
  ) {}

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  insert(a: NewAutoencoder, commitFiles: (id: number) => string): number {
    const insertRow = () =>
      insertRecord(this.db, 'autoencoders', {
        dataset_id: a.datasetId,
        job_id: a.jobId,
        preset: a.preset,
        losses: JSON.stringify(a.losses),
        kendall: a.kendall ? 1 : 0,
        dim: a.dim,
        epochs: a.epochs,
        batch: a.batch,
        seed: a.seed,
        untrained: a.untrained ? 1 : 0,
        backend: a.backend,
        metrics: JSON.stringify(a.metrics),
        history: JSON.stringify(a.history),
        map_method: a.mapMethod,
        dir: '',
        created_at: Date.now(),
      });
    return insertWithFolder(this.db, this.paths, 'autoencoders', insertRow, commitFiles);
  }

  list(datasetId?: number): AeSummary[] {
    return newestFirst<AeRow>(this.db, SELECT, 'a', datasetId).map(toSummary);
  }

  get(id: number): (AeSummary & { dir: string; history: AeDetail['history']; mapMethod: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as AeRow | undefined;
    if (!row) return undefined;
    return {
      ...toSummary(row),
      dir: this.paths.toAbsolute(row.dir),
      history: JSON.parse(row.history) as AeDetail['history'],
      mapMethod: row.map_method,
    };
  }

  /** Folders of the autoencoders of a dataset (deleted with it by the foreign key; the caller removes files). */
  dirsOfDataset(datasetId: number): string[] {
    return (
      this.db.prepare('SELECT dir FROM autoencoders WHERE dataset_id = ?').all(datasetId) as Array<{ dir: string }>
    ).map((r) => this.paths.toAbsolute(r.dir));
  }

  delete(id: number): string | undefined {
    return deleteWithFolder(this.db, this.paths, 'autoencoders', id);
  }
}
