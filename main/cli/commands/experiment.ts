/**
 * `winnow experiment`: run a grid from a JSON file or a preset, resume one, list them, show one, and write one's
 * report folder (report.md, results.csv, experiment.json, charts) where the user asks.
 */
import fs from 'node:fs';
import { ExperimentScale, type ExperimentDetail, type ExperimentPlanView } from '../../../shared/experiment.js';
import { EXPERIMENT_PRESETS, PRESET_INFO, SCALE_NOTES, presetParams } from '../../../shared/experiment-presets.js';
import type { JobSummary } from '../../../shared/jobs.js';
import type { WinnowHost } from '../../api/host.js';
import { idOption, intOption, listCommand, oneOf, parse, resumeOption, withHost, type Options } from '../args.js';
import { writeReportTo } from '../../experiment/report.js';
import { experimentDoneLines, experimentEventLine, EXPERIMENT_LIST } from '../experiment.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatDuration, printJson, say } from '../output.js';
import { runJobCommand } from '../run-job.js';

const RUN_OPTIONS = {
  preset: { type: 'string' },
  dataset: { type: 'string' },
  scale: { type: 'string' },
  name: { type: 'string' },
  seeds: { type: 'string' },
  resume: { type: 'string' },
} satisfies Options;

export const experimentHelp = (): string =>
  [
    'Usage: winnow experiment run (FILE.json | --preset P) [--dataset <id>] [--scale quick|small|paper] [options]',
    '       winnow experiment run --resume <job>',
    '       winnow experiment list [--dataset <id>] | show <job> | report <job> --out DIR | presets',
    '',
    'FILE.json holds the grid (the experiment.json of a report reruns that experiment); --dataset, --scale, --name and',
    '--seeds N (seeds 0..N-1) replace what the file or the preset says. --estimate prints the plan and its cost.',
    '',
    'Presets:',
    ...EXPERIMENT_PRESETS.map((id) => `  ${id.padEnd(24)} ${PRESET_INFO[id].label}: ${PRESET_INFO[id].source}`),
    '',
    'Scales:',
    ...ExperimentScale.options.map((s) => `  ${s.padEnd(8)} ${SCALE_NOTES[s]}`),
  ].join('\n');

/** The grid a `run` command line asks for: the file or the preset, then the flags over it. */
function runParams(values: Record<string, unknown>, file: string | undefined): Record<string, unknown> {
  if ((file === undefined) === (values.preset === undefined))
    throw new UsageError('Give the grid as FILE.json or as --preset P (one of them). See `winnow experiment --help`.');
  const scale = oneOf(values.scale, 'scale', ExperimentScale.options);
  const datasetId = idOption(values.dataset, 'dataset');
  let params: Record<string, unknown>;
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
    }
    try {
      params = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new UsageError(
        `${file} is not JSON. An experiment file is the experiment.json of a report, or one like it.`,
      );
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new UsageError(`${file} must hold one JSON object: the experiment's settings.`);
    if (scale) params.scale = scale;
  } else {
    const preset = oneOf(values.preset, 'preset', EXPERIMENT_PRESETS)!;
    if (datasetId === undefined) throw new UsageError('--preset needs --dataset <id>: the dataset the grid runs on.');
    params = { ...presetParams(preset, scale ?? 'quick', datasetId) };
  }
  if (datasetId !== undefined) params.datasetId = datasetId;
  if (typeof values.name === 'string') params.name = values.name;
  const seeds = intOption(values.seeds, 'seeds', 1, 10);
  if (seeds !== undefined) params.seeds = Array.from({ length: seeds }, (_, i) => i);
  if (typeof values.backend === 'string') params.backend = values.backend;
  return params;
}

function planLines(plan: ExperimentPlanView): string[] {
  const j = plan.jobs;
  return [
    `${plan.cells.length} cells, ${j.total} child jobs: ${j.autoencoder} autoencoders, ${j.search} searches, ${j.evaluate} evaluations, ${j.compress} compression studies.`,
    ...(plan.reused > 0 ? [`${plan.reused} of them already ran with identical settings and are reused.`] : []),
    plan.seconds !== null
      ? `Estimated time: about ${formatDuration(plan.seconds)} for the children that run.`
      : `No time estimate: ${plan.estimateNote ?? 'no rate is known yet'}`,
    ...(plan.referenceNote ? [plan.referenceNote] : []),
  ];
}

async function runExperimentCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, RUN_OPTIONS, 1);
  const resumeId = resumeOption(values, RUN_OPTIONS, 'an experiment');
  const params = resumeId === undefined ? runParams(values, positionals[0]) : undefined;
  if (values.estimate) {
    return withHost(values, async (host) => {
      const plan = (await host.api.dispatch('experiments.plan', { params })) as ExperimentPlanView;
      if (values.json) printJson(plan);
      else for (const line of planLines(plan)) say(line);
      return EXIT_OK;
    });
  }
  return runJobCommand({
    values,
    kind: 'experiment',
    resumeId,
    params,
    eventLine: experimentEventLine,
    report: async (host: WinnowHost, job: JobSummary, json: boolean) => {
      const detail = (await host.api.dispatch('experiments.get', { id: job.id })) as ExperimentDetail;
      if (json) printJson({ jobId: job.id, state: job.state, error: job.message, ...detail });
      else for (const line of experimentDoneLines(job, detail)) say(line);
      return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
    },
  });
}

async function showCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {}, 1);
  const id = idOption(positionals[0], 'job');
  if (id === undefined) throw new UsageError('Usage: winnow experiment show <job>');
  return withHost(values, async (host) => {
    const detail = (await host.api.dispatch('experiments.get', { id })) as ExperimentDetail;
    if (values.json) printJson(detail);
    else for (const line of experimentDoneLines(host.store.jobs.get(id)!, detail)) say(line);
    return EXIT_OK;
  });
}

async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } }, 1);
  const id = idOption(positionals[0], 'job');
  if (id === undefined || typeof values.out !== 'string')
    throw new UsageError('Usage: winnow experiment report <job> --out DIR');
  const out = values.out;
  return withHost(values, async (host) => {
    const files = await writeReportTo(host.store, id, out);
    if (values.json) printJson({ jobId: id, out, files });
    else say(`Wrote ${files.length} files to ${out}: ${files.join(', ')}`);
    return EXIT_OK;
  });
}

export async function experimentCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'run':
      return runExperimentCommand(rest);
    case 'resume':
      return runExperimentCommand(['--resume', ...rest]);
    case 'list':
      return listCommand(rest, EXPERIMENT_LIST);
    case 'show':
      return showCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'presets':
      say(experimentHelp());
      return EXIT_OK;
    default:
      throw new UsageError(experimentHelp());
  }
}
