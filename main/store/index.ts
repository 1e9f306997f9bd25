import { openDb, type Db, type OpenDbOptions } from './db.js';
import { AutoencodersRepo } from './autoencoders-repo.js';
import { DatasetsRepo } from './datasets-repo.js';
import { JobsRepo } from './jobs-repo.js';
import { ModelsRepo } from './models-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { DataPaths, dataDirOfDb } from './paths.js';

/** The store: one database connection and a repository per entity. */
export class Store {
  readonly jobs: JobsRepo;
  readonly settings: SettingsRepo;
  readonly datasets: DatasetsRepo;
  readonly autoencoders: AutoencodersRepo;
  readonly models: ModelsRepo;

  /** Converts between the absolute paths callers use and the data-folder-relative paths rows keep. */
  readonly paths: DataPaths;

  constructor(
    readonly db: Db,
    readonly dbPath: string,
  ) {
    this.paths = new DataPaths(dataDirOfDb(dbPath));
    this.jobs = new JobsRepo(db, this.paths);
    this.settings = new SettingsRepo(db);
    this.datasets = new DatasetsRepo(db, this.paths);
    this.autoencoders = new AutoencodersRepo(db, this.paths);
    this.models = new ModelsRepo(db, this.paths);
  }

  static open(dbPath: string, options?: OpenDbOptions): Store {
    return new Store(openDb(dbPath, options), dbPath);
  }

  /** The id of the data folder this database belongs to (see data-folder.ts), if recorded. */
  folderId(): string | null {
    const row = this.db.prepare('SELECT id FROM data_folder WHERE singleton = 1').get() as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** Records the folder id unless one is already recorded (another process may have won); returns the recorded id. */
  recordFolderId(id: string): string {
    this.db
      .prepare('INSERT OR IGNORE INTO data_folder (singleton, id, created_at) VALUES (1, ?, ?)')
      .run(id, Date.now());
    return this.folderId()!;
  }

  close(): void {
    this.db.close();
  }
}
