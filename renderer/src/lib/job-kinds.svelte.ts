/** The job kinds the host runs (`jobs.kinds`, declared in main/jobs/), with what to call them: one list for every page. */
import type { JobKindInfo } from '../../../shared/api.js';
import { client } from './api.js';
import { errors } from './errors.svelte.js';

class JobKindsStore {
  list = $state.raw<JobKindInfo[]>([]);

  async load(): Promise<void> {
    try {
      this.list = await client.call('jobs.kinds', {});
    } catch (e) {
      errors.report(e, 'Could not read the job kinds');
    }
  }
}

export const jobKinds = new JobKindsStore();
