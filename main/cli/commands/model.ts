/** `winnow model`: stored models (trained by evaluations or imported). */
import type { EvaluationDetail, ModelSummary } from '../../../shared/evaluate.js';
import { ApiError } from '../../api/errors.js';
import type { WinnowHost } from '../../api/host.js';
import { idOption, listCommand, parse, withHost } from '../args.js';
import { MODEL_LIST, millions } from '../evaluate.js';
import { EXIT_OK, UsageError, printJson, say } from '../output.js';

/** The stored model of evaluation `job`, or why there is none. */
export async function modelOfEvaluation(host: WinnowHost, job: number): Promise<number> {
  const detail = (await host.api.dispatch('evaluations.get', { id: job })) as EvaluationDetail;
  const modelId = detail.result?.modelId ?? null;
  if (modelId === null)
    throw new ApiError(
      'conflict',
      `Evaluation ${job} has no stored model: it is ${detail.summary.state}; a model is stored when it finishes.`,
    );
  return modelId;
}

export async function modelCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      return listCommand(rest, MODEL_LIST);
    }
    case 'show': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = idOption(positionals[0], 'model');
      if (id === undefined) throw new UsageError('Usage: winnow model show <id>');
      const m = (await withHost(values, (h) => h.api.dispatch('models.get', { id }))) as ModelSummary;
      if (values.json) printJson(m);
      else {
        const p = m.preprocessing;
        say(`Model ${m.id}: ${m.name} (${m.origin === 'evaluate' ? `trained by evaluation ${m.jobId}` : 'imported'}).`);
        say(
          `Input ${p.width}x${p.height}x${p.channels}, normalised by mean ${p.mean.map((v) => v.toFixed(4)).join('/')} and std ${p.std.map((v) => v.toFixed(4)).join('/')}; ${m.classNames.length} classes: ${m.classNames.join(', ')}.`,
        );
        say(
          `Parameters ${millions(m.parameters)}, multiply-adds ${millions(m.multiplyAdds)}${m.testAccuracy === null ? '' : `, test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`}.`,
        );
        if (m.genotypeText) say(`Genotype: ${m.genotypeText}`);
      }
      return EXIT_OK;
    }
    case 'import': {
      const { values, positionals } = parse(rest, { name: { type: 'string' } }, 1);
      if (!positionals[0])
        throw new UsageError('Usage: winnow model import <dir> [--name S] (a folder written by `winnow export model`)');
      const m = (await withHost(values, (h) =>
        h.api.dispatch('models.import', { path: positionals[0]!, ...(values.name ? { name: values.name } : {}) }),
      )) as ModelSummary;
      if (values.json) printJson(m);
      else say(`Imported model ${m.id}: ${m.name}.`);
      return EXIT_OK;
    }
    case 'rm':
    case 'delete': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = idOption(positionals[0], 'model');
      if (id === undefined) throw new UsageError('Usage: winnow model rm <id>');
      const r = await withHost(values, (h) => h.api.dispatch('models.delete', { id }));
      if (values.json) printJson(r);
      else say(`Deleted model ${id}.`);
      return EXIT_OK;
    }
    default:
      throw new UsageError('Usage: winnow model list | show <id> | import <dir> [--name S] | rm <id>');
  }
}
