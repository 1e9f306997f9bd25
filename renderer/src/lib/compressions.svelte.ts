/**
 * The compression studies (`compressions.list`) and the study form, shared by the Compression page's views. The
 * list shows studies while they run (rows done / total): see JobRunList. The stored models the form offers come
 * from the models store of the Evaluate page (lib/evaluations.svelte.ts).
 */
import type { CompressionSummary } from '../../../shared/compress.js';
import { client } from './api.js';
import { defaultCompressForm, type CompressForm } from './compress.js';
import { JobRunList } from './job-run-list.svelte.js';

export const compressions = new JobRunList<CompressionSummary, 'compress', CompressForm>({
  kind: 'compress',
  progressEvent: 'compress-point',
  load: () => client.call('compressions.list', {}),
  nouns: ['compression study', 'compression studies'],
  form: defaultCompressForm,
});
