import type { AeDetail, AeSummary } from '../../shared/autoencoder.js';
import { columnsOf, recordOf, type ColumnCodec } from './columns.js';
import { FolderRepo } from './folder-rows.js';

/** An autoencoders row (with its dataset's name); the fields are those of AeSummary, stored by CODEC. */
interface AeRow {
  dir: string;
}

/** What an autoencoder job leaves to record: its summary less what the store assigns, with its history and map. */
export type NewAutoencoder = Omit<AeSummary, 'id' | 'datasetName' | 'createdAt'> & {
  history: AeDetail['history'];
  mapMethod: string;
};

const SELECT = 'SELECT a.*, d.name AS dataset_name FROM autoencoders a JOIN datasets d ON d.id = a.dataset_id';

/** How an autoencoder's fields are stored. */
const CODEC: ColumnCodec = { json: ['losses', 'metrics', 'history'], flags: ['kendall', 'untrained'] };

export class AutoencodersRepo extends FolderRepo<AeRow, AeSummary> {
  protected readonly table = 'autoencoders';
  protected readonly select = SELECT;
  protected readonly alias = 'a';
  protected toSummary(r: AeRow): AeSummary {
    return recordOf(r, CODEC, ['history', 'mapMethod', 'dir']);
  }

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  insert(a: NewAutoencoder, commitFiles: (id: number) => string): number {
    return this.insertColumns(columnsOf(a, CODEC), commitFiles);
  }

  get(id: number): (AeSummary & { dir: string; history: AeDetail['history']; mapMethod: string }) | undefined {
    const row = this.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as AeRow | undefined;
    if (!row) return undefined;
    const detail = recordOf<AeSummary & Pick<AeDetail, 'history'> & { mapMethod: string }>(row, CODEC, ['dir']);
    return { ...detail, dir: this.paths.toAbsolute(row.dir) };
  }

  /** Folders of the autoencoders of a dataset (deleted with it by the foreign key; the caller removes files). */
  dirsOfDataset(datasetId: number): string[] {
    return (
      this.db.prepare('SELECT dir FROM autoencoders WHERE dataset_id = ?').all(datasetId) as Array<{ dir: string }>
    ).map((r) => this.paths.toAbsolute(r.dir));
  }
}
