/**
 * What the NASWOT and DSM-NAS forms do alike: the problem the form shows, the finished job it takes something from
 * (a supernet, mined images) kept to one the form still offers, a dataset pick that forgets that job, and Start
 * through the method runs' store. A form makes one while it initialises (the sync is an $effect).
 */
import type { DatasetSummary } from '../../../shared/datasets.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { FormState, type FormStateOptions } from './job-form.svelte.js';
import { offeredSource } from './naswot-dsm-fields.js';
import { methodRuns } from './naswot-dsm-runs.svelte.js';

export interface MethodFormOptions<F, P> extends FormStateOptions<F, P> {
  /** The form's key of the job it takes something from. */
  source: keyof F & string;
  /** The jobs the form offers for it now. */
  offered: () => readonly number[];
  /** Whether the form's choices need one (the first offered is taken). */
  wanted: () => boolean;
  start: (params: P) => Promise<JobSummary | null>;
  onstarted: (job: JobSummary) => void;
  /** Said when the job could not be started and the store gives no reason. */
  fallback: string;
}

export class MethodFormState<F extends { datasetId: number | null }, P extends object> extends FormState<F, P> {
  constructor(private readonly o: MethodFormOptions<F, P>) {
    super(o);
    $effect(() => {
      const form = o.form();
      const chosen = form[o.source] as number | null;
      const from = offeredSource(chosen, o.offered(), o.wanted());
      if (from !== chosen) o.setForm({ ...form, [o.source]: from });
    });
  }

  pickDataset = (d: DatasetSummary | undefined): void => {
    if (d) this.o.setForm({ ...this.o.form(), datasetId: d.id, [this.o.source]: null });
    this.problem = null;
  };

  start = async (): Promise<void> => {
    const o = this.o;
    this.problem = await methodRuns.submit(o.build(), o.start, o.onstarted, o.fallback);
  };
}
