/**
 * Numbered schema migrations. Append only: never edit a migration that has shipped; add the next one.
 * `schema_version` records each applied version, so a database opened by an older Winnow is upgraded
 * in one transaction, and one written by a newer Winnow is refused instead of being damaged.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, job events, metrics, artifacts, settings',
    sql: `
      CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
        params      TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        started_at  INTEGER,
        ended_at    INTEGER,
        progress    TEXT,
        message     TEXT,
        result      TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        -- the process that owns a queued or running job; another process never touches it while that pid lives
        owner_pid   INTEGER,
        worker_pid  INTEGER,
        next_seq    INTEGER NOT NULL DEFAULT 1,
        -- set by any process (e.g. the UI of winnow serve) to ask the owner of a running job to cancel it
        cancel_requested INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX jobs_state ON jobs(state);

      CREATE TABLE job_events (
        job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        ts      INTEGER NOT NULL,
        type    TEXT    NOT NULL,
        payload TEXT    NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE metrics (
        job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        name    TEXT    NOT NULL,
        step    INTEGER,
        epoch   INTEGER,
        value   REAL    NOT NULL,
        ts      INTEGER NOT NULL
      );
      CREATE INDEX metrics_job_name ON metrics(job_id, name);

      CREATE TABLE artifacts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id     INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
        name       TEXT    NOT NULL,
        path       TEXT    NOT NULL,
        mime       TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX artifacts_job ON artifacts(job_id);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'datasets: classes, images (label, split, search half, group, source, hash), rejections',
    sql: `
      CREATE TABLE datasets (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        name               TEXT    NOT NULL,
        format             TEXT    NOT NULL,
        source             TEXT    NOT NULL,
        source_fingerprint TEXT    NOT NULL,
        width              INTEGER NOT NULL,
        height             INTEGER NOT NULL,
        channels           INTEGER NOT NULL CHECK (channels IN (1, 3)),
        images             INTEGER NOT NULL,
        dir                TEXT    NOT NULL,
        bytes              INTEGER NOT NULL,
        options            TEXT    NOT NULL,
        duplicates         TEXT    NOT NULL,
        import_job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        created_at         INTEGER NOT NULL
      );
      CREATE INDEX datasets_fingerprint ON datasets(source_fingerprint);

      CREATE TABLE dataset_classes (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        label      INTEGER NOT NULL,
        name       TEXT    NOT NULL,
        PRIMARY KEY (dataset_id, label)
      ) WITHOUT ROWID;

      -- one row per stored image; idx is its row in the packed tensor file
      CREATE TABLE dataset_images (
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL,
        label       INTEGER NOT NULL,
        split       TEXT    NOT NULL CHECK (split IN ('train', 'test')),
        search_half TEXT             CHECK (search_half IN ('w', 'a')),
        grp         TEXT,
        source      TEXT    NOT NULL,
        hash        TEXT    NOT NULL,
        PRIMARY KEY (dataset_id, idx)
      ) WITHOUT ROWID;
      CREATE INDEX dataset_images_label ON dataset_images(dataset_id, label, split);

      CREATE TABLE dataset_rejections (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        path       TEXT    NOT NULL,
        reason     TEXT    NOT NULL,
        PRIMARY KEY (dataset_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'autoencoders: trained (or untrained) similarity autoencoders with their metrics',
    sql: `
      CREATE TABLE autoencoders (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        preset      TEXT    NOT NULL,
        losses      TEXT    NOT NULL,
        kendall     INTEGER NOT NULL,
        dim         INTEGER NOT NULL,
        epochs      INTEGER NOT NULL,
        batch       INTEGER NOT NULL,
        seed        INTEGER NOT NULL,
        untrained   INTEGER NOT NULL,
        backend     TEXT    NOT NULL,
        metrics     TEXT    NOT NULL,
        history     TEXT    NOT NULL,
        map_method  TEXT    NOT NULL,
        dir         TEXT    NOT NULL,
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX autoencoders_dataset ON autoencoders(dataset_id);
    `,
  },
  {
    version: 4,
    description: 'models: trained networks (evaluate jobs) and imported TensorFlow.js models',
    sql: `
      CREATE TABLE models (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        name           TEXT    NOT NULL,
        origin         TEXT    NOT NULL CHECK (origin IN ('evaluate','import')),
        job_id         INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        -- a model outlives the dataset it was trained on: it can still be exported or tested on another import
        dataset_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        network        TEXT,
        class_names    TEXT    NOT NULL,
        preprocessing  TEXT    NOT NULL,
        parameters     INTEGER NOT NULL,
        multiply_adds  INTEGER NOT NULL,
        test_accuracy  REAL,
        genotype_text  TEXT,
        dir            TEXT    NOT NULL,
        created_at     INTEGER NOT NULL
      );
      CREATE INDEX models_dataset ON models(dataset_id);
      CREATE INDEX models_job ON models(job_id);
    `,
  },
  {
    version: 5,
    description: 'paths relative to the data folder: dataset, model and autoencoder folders, artifacts, result files',
    // Rows written before kept absolute paths, which a copied or moved data folder still pointed at (deleting a dataset
    // in a copy deleted the original's folder). Each folder is <kind>/<id> by construction; a job's files live under
    // jobs/<job id>/. A path that does not end that way is left as it is (and never deleted outside the folder).
    sql: `
      UPDATE datasets SET dir = 'datasets/' || id
        WHERE dir LIKE '%/datasets/' || id OR dir LIKE '%\\datasets\\' || id;
      UPDATE models SET dir = 'models/' || id
        WHERE dir LIKE '%/models/' || id OR dir LIKE '%\\models\\' || id;
      UPDATE autoencoders SET dir = 'autoencoders/' || id
        WHERE dir LIKE '%/autoencoders/' || id OR dir LIKE '%\\autoencoders\\' || id;
      UPDATE artifacts
        SET path = substr(replace(path, '\\', '/'), instr(replace(path, '\\', '/'), '/jobs/' || job_id || '/') + 1)
        WHERE job_id IS NOT NULL AND instr(replace(path, '\\', '/'), '/jobs/' || job_id || '/') > 0;
      UPDATE job_events
        SET payload = json_set(payload, '$.path', substr(replace(json_extract(payload, '$.path'), '\\', '/'),
          instr(replace(json_extract(payload, '$.path'), '\\', '/'), '/jobs/' || job_id || '/') + 1))
        WHERE type = 'artifact' AND instr(replace(json_extract(payload, '$.path'), '\\', '/'), '/jobs/' || job_id || '/') > 0;
      UPDATE jobs
        SET result = json_set(result, '$.files.genotypeJson', substr(replace(json_extract(result, '$.files.genotypeJson'), '\\', '/'),
          instr(replace(json_extract(result, '$.files.genotypeJson'), '\\', '/'), '/jobs/' || id || '/') + 1))
        WHERE result IS NOT NULL AND json_valid(result) AND json_type(result, '$.files.genotypeJson') = 'text'
          AND instr(replace(json_extract(result, '$.files.genotypeJson'), '\\', '/'), '/jobs/' || id || '/') > 0;
      UPDATE job_events
        SET payload = json_set(payload, '$.result.files.genotypeJson', substr(replace(json_extract(payload, '$.result.files.genotypeJson'), '\\', '/'),
          instr(replace(json_extract(payload, '$.result.files.genotypeJson'), '\\', '/'), '/jobs/' || job_id || '/') + 1))
        WHERE type = 'result' AND json_type(payload, '$.result.files.genotypeJson') = 'text'
          AND instr(replace(json_extract(payload, '$.result.files.genotypeJson'), '\\', '/'), '/jobs/' || job_id || '/') > 0;
    `,
  },
  {
    version: 6,
    description: 'data folder identity: the id of the folder this database belongs to',
    // the same id is in the folder's winnow-folder.json: a database that names another id is not this folder's
    sql: `
      CREATE TABLE data_folder (
        singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
        id         TEXT    NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'autoencoders: the JPEG stage their images went through (null: the originals, as every earlier one)',
    sql: `
      ALTER TABLE autoencoders ADD COLUMN jpeg_quality INTEGER;
      ALTER TABLE autoencoders ADD COLUMN jpeg_subsampling TEXT;
    `,
  },
];
