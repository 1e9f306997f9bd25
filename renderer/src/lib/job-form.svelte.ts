/**
 * What every job form has: its props (the datasets, the bindable form, what to do once a job started), the problem
 * the form shows after a refusal (and which field it names), a dataset pick and a radio choice that clear it, Start
 * through `startFromForm`, and Cost before Start's parameters. A form makes one `JobFormState` while it initialises.
 */
import type { DatasetSummary } from '../../../shared/datasets.js';
import type { JobKind, JobSummary } from '../../../shared/jobs.js';
import { builtParams } from './cost.js';
import { quickLookForm, startFromForm, type BuiltParams, type FormProblem } from './form-fields.js';

/** The props every job form takes (a form with more declares them beside these). */
export interface JobFormProps<F> {
  list: readonly DatasetSummary[];
  form: F;
  /** Called with the job once `jobs.start` accepted it. */
  onstarted: (job: JobSummary) => void;
}

export interface FormStateOptions<F, P> {
  /** The job kind the form starts (Cost before Start estimates it). */
  kind: JobKind;
  form: () => F;
  setForm: (form: F) => void;
  /** Start's parameters, from the form and whatever else the form reads. */
  build: () => BuiltParams<P>;
  /** Cost before Start's quick look: the form with a preset's parameters (by default `quickLookForm`). */
  quickLook?: (form: F, patch: Record<string, number>) => F;
}

/**
 * What a job form and a method form (MethodFormState) share: the problem the form shows (null: none), whether a
 * field is the one it names, and Cost before Start's estimate.
 */
export class FormState<F extends object, P extends object> {
  problem = $state<FormProblem | null>(null);

  constructor(private readonly base: FormStateOptions<F, P>) {}

  get kind(): JobKind {
    return this.base.kind;
  }

  /** Whether the form was refused for `field`. */
  invalid = (field: string): boolean => this.problem?.field === field;

  /** Cost before Start (FormActions' `estimate`): the parameters Start would send, null while the form is incomplete. */
  estimate = (params: P | null = builtParams(this.base.build())) => {
    const { kind, form, setForm, quickLook = quickLookForm } = this.base;
    return { kind, params, onquicklook: (patch: Record<string, number>) => setForm(quickLook(form(), patch)) };
  };
}

export interface JobFormOptions<F, P> extends FormStateOptions<F, P> {
  /** What picking a dataset does to the form. */
  pick: (dataset: DatasetSummary) => void;
  /** The kind's store, which starts the job. */
  store: Parameters<typeof startFromForm<P>>[1];
  /** The job in words, for "<what> could not be started.". */
  what: string;
  onstarted?: (job: JobSummary) => void;
}

export class JobFormState<F extends object, P extends object> extends FormState<F, P> {
  constructor(private readonly o: JobFormOptions<F, P>) {
    super(o);
  }

  pickDataset = (d: DatasetSummary | undefined): void => {
    if (d) this.o.pick(d);
    this.problem = null;
  };

  start = async (): Promise<void> => {
    this.problem = null;
    const out = await startFromForm(this.o.build(), this.o.store, this.o.what);
    this.problem = out.problem;
    if (out.job) this.o.onstarted?.(out.job);
  };

  /** A radio group's onchoose: sets the form's `key` and clears the problem. */
  choose =
    <K extends keyof F>(key: K) =>
    (v: F[K]): void => {
      this.o.form()[key] = v;
      this.problem = null;
    };
}
