/**
 * The compression studies (`compressions.list`) and the study form, shared by the Compression page's views. The
 * list shows studies while they run (rows done / total): see JobRunList. The stored models the form offers come
 * from the models store of the Evaluate page (lib/evaluations.svelte.ts).
 */
import type { CompressionSummary } from '../../../shared/compress.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { client } from './api.js';
import { defaultCompressForm, type CompressForm, type CompressStartInput } from './compress.js';
import { JobRunList } from './job-run-list.svelte.js';

class CompressionStore extends JobRunList<CompressionSummary> {
  /** The form's values, kept while the user visits other pages. */
  form = $state<CompressForm>(defaultCompressForm());

  constructor() {
    super({
      kind: 'compress',
      progressEvent: 'compress-point',
      load: () => client.call('compressions.list', {}),
      what: 'the list of compression studies',
    });
  }

  startStudy(params: CompressStartInput): Promise<JobSummary | null> {
    return this.startRun({ kind: 'compress', params }, 'the compression study');
  }
}

export const compressions = new CompressionStore();
