/**
 * The evaluations (`evaluations.list`), the stored models (`models.list`) and the evaluation form, shared by the
 * Evaluate page's views. Like the searches, the evaluations list shows runs while they train (epochs done), so it
 * is loaded again when an evaluate job changes state and, at most once a second, after each finished epoch; the
 * models list when an evaluation finishes (it stores its model) and after an import or a deletion. Both load again
 * after a reconnect.
 */
import type { EvaluationSummary, ModelSummary } from '../../../shared/evaluate.js';
import { client } from './api.js';
import { errorMessage } from './client.js';
import { EngineList, finishedWell, newestFirst } from './engine-list.svelte.js';
import { errors } from './errors.svelte.js';
import { defaultEvaluateForm, type EvaluateForm } from './evaluate.js';
import { Debounced, JobRunList } from './job-run-list.svelte.js';

class ModelStore extends EngineList<ModelSummary> {
  importing = $state(false);
  private readonly later = new Debounced(() => void this.refresh());

  constructor() {
    super({
      load: () => client.call('models.list', {}),
      order: newestFirst,
      what: 'the list of models',
    });
  }

  start(): void {
    this.listenOnce((m) => {
      if (finishedWell(m, 'evaluate')) this.later.soon(0);
    });
  }

  byId(id: number): ModelSummary | undefined {
    return this.list.find((m) => m.id === id);
  }

  /** Imports a model folder; the model, or the reason it was refused (for the import form to show, once). */
  async importFolder(
    path: string,
    name?: string,
  ): Promise<{ ok: true; model: ModelSummary } | { ok: false; error: string }> {
    this.importing = true;
    try {
      const model = await client.call('models.import', name ? { path, name } : { path });
      this.list = [model, ...this.list.filter((m) => m.id !== model.id)];
      void this.refresh();
      return { ok: true, model };
    } catch (e) {
      console.error('[winnow] Could not import the model:', e);
      return { ok: false, error: errorMessage(e) };
    } finally {
      this.importing = false;
    }
  }

  /** Deletes a stored model; true when it is gone. */
  async remove(id: number): Promise<boolean> {
    try {
      await client.call('models.delete', { id });
      this.list = this.list.filter((m) => m.id !== id);
      void this.refresh();
      return true;
    } catch (e) {
      errors.report(e, `Could not delete model #${id}`);
      return false;
    }
  }
}

/** The evaluations and the evaluation form. */
export const evaluations = new JobRunList<EvaluationSummary, 'evaluate', EvaluateForm>({
  kind: 'evaluate',
  progressEvent: 'evaluate-epoch',
  load: () => client.call('evaluations.list', {}),
  nouns: ['evaluation', 'evaluations'],
  form: defaultEvaluateForm,
});
export const models = new ModelStore();
