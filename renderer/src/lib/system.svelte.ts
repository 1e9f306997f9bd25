/** `system.info`, shared by the status bar (selected backend) and Settings. */
import type { SystemInfo } from '../../../shared/api.js';
import { client } from './api.js';
import { errors } from './errors.svelte.js';

class SystemStore {
  info = $state.raw<SystemInfo | null>(null);
  /** True while a (re)probe is in flight. */
  loading = $state(false);

  async load(refresh = false): Promise<void> {
    this.loading = true;
    try {
      this.info = await client.call('system.info', { refresh });
    } catch (e) {
      errors.report(e, refresh ? 'Could not check the training backends again' : 'Could not read system information');
    } finally {
      this.loading = false;
    }
  }
}

export const system = new SystemStore();
