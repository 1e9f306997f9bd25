/** Dataset import: a folder, IDX, CIFAR or CSV source decoded, checked and committed as a dataset. */
import { ApiError } from '../api/errors.js';
import { alreadyImportedMessage, commitImport, discardImport } from '../data/commit.js';
import { statSource } from '../data/formats/util.js';
import { importHandler, sourceFingerprint, type ImportJobContext } from '../data/import-job.js';
import { SourceReadError } from '../data/types.js';
import { defineJobKind } from './kind.js';

export const importKind = defineJobKind({
  engine: importHandler,
  async refuse(host, params) {
    const src = params.source;
    // a path that does not exist is a bad argument; one that exists but cannot be read as a dataset is not refused
    // here: the job fails with the reason (damaged data is a failure, not a bad argument)
    if (src.kind === 'path') await statSource(src.path);
    if (params.ifExists !== 'refuse') return;
    // refuse before any decoding; the commit checks again for imports started meanwhile. A path is read by the engine
    // process (host.detect), never here
    let fingerprint: string | null;
    if (src.kind === 'path') {
      fingerprint = await host
        .detect({ path: src.path, format: src.format, cifar100Labels: params.cifar100Labels })
        .then(
          (s) => s.fingerprint,
          (e: unknown) => {
            if (e instanceof SourceReadError) return null;
            throw e;
          },
        );
    } else fingerprint = await sourceFingerprint(params);
    const existing = fingerprint === null ? undefined : host.store.datasets.findByFingerprint(fingerprint)[0];
    if (existing) throw new ApiError('conflict', alreadyImportedMessage(existing));
  },
  prepare: (host): ImportJobContext => ({ existing: host.store.datasets.fingerprints() }),
  finalize: (host, job) => commitImport(host.store, host.dataDir, job.id, job.jobDir),
  discard: (_host, job) => discardImport(job.jobDir),
  cli: { command: 'dataset import', summary: 'import a labelled image dataset (class folders, IDX, CIFAR, CSV)' },
  ui: { label: 'Import', noun: 'import', page: 'datasets' },
});
