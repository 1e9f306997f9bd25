import { openDb, type Db, type OpenDbOptions } from './db.js';
import { AutoencodersRepo } from './autoencoders-repo.js';
import { DatasetsRepo } from './datasets-repo.js';
import { JobsRepo } from './jobs-repo.js';
import { ModelsRepo } from './models-repo.js';
import { SettingsRepo } from './settings-repo.js';

/** The store: one database connection and a repository per entity. */
export class Store {
  readonly jobs: JobsRepo;
  readonly settings: SettingsRepo;
  readonly datasets: DatasetsRepo;
  readonly autoencoders: AutoencodersRepo;
  readonly models: ModelsRepo;

  constructor(readonly db: Db, readonly dbPath: string) {
    this.jobs = new JobsRepo(db);
    this.settings = new SettingsRepo(db);
    this.datasets = new DatasetsRepo(db);
    this.autoencoders = new AutoencodersRepo(db);
    this.models = new ModelsRepo(db);
  }

  static open(dbPath: string, options?: OpenDbOptions): Store {
    return new Store(openDb(dbPath, options), dbPath);
  }

  close(): void {
    this.db.close();
  }
}
