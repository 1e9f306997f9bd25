/**
 * `winnow search` end to end through the built CLI, on a tiny slice of the MNIST sample so each search takes
 * seconds: both spaces, the per-epoch lines, the final genotype, `export genotype` in every format, the stored
 * events and files; then a search killed mid-run (its engine process, and the whole CLI) resumed to the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenotype, parseGenotypeJson } from '../../shared/genotype.js';
import { parseDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import type { JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import { SearchEpochData, type SearchResult, type SearchSummary } from '../../shared/search.js';
import type { MeaningNote } from '../../shared/meaning.js';
import { epochTimeline, getSearch } from '../../main/api/searches.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import { jobDirFor } from '../../main/store/paths.js';
import { cliDataFolder, runCliJson, startCli } from '../helpers/cli-data.js';
import { flags, runCli, type CliResult } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmp.js';

/**
 * The MNIST sample with 5% of it held out for testing (the least the import allows): 501 test images instead of
 * 2,000. A finished search tests its supernet on every test image, one batch of 8 at a time, and at these sizes
 * that pass is most of the job (measured on a tiny 2-epoch DARTS search: 276 s of testing after 53 s of epochs).
 */
const data = cliDataFolder(['dataset', 'sample', 'mnist', '--test-fraction', '0.05'], 180_000);
const dataDir = data.dir;
const TEST_IMAGES = 501;

/**
 * Small enough for seconds per epoch on a CPU (wasm): 4 images per class (2 train_w + 2 train_α), so 2 steps of 8
 * per epoch, 4 channels. DARTS needs 3 cells for a normal cell besides the two reductions (at 1/3 and 2/3).
 */
const tinySearch = (space: 'darts' | 'nb201', epochs: number, limitPerClass = 4): string[] => [
  'search',
  ...flags({
    dataset: data.datasetId,
    space,
    epochs,
    cells: space === 'darts' ? 3 : 1,
    limitPerClass,
    batch: 8,
    channels: 4,
    seed: 3,
  }),
];
const SEARCH_TIMEOUT = 300_000;

const { withStore } = data;

const jobEvents = (id: number) =>
  runCliJson<{ job: JobSummary; events: StoredJobEvent[] }>(['jobs', 'show', String(id)], dataDir);

/** The per-epoch lines `winnow search` writes to stderr. */
const EPOCH_LINE =
  /^epoch (\d+)\/(\d+) {2}train \d+\.\d{3} \/ \d+\.\d% {2}val \d+\.\d{3} \/ \d+\.\d% {2}\d+\.\d s {2}genotype (.+)$/gm;

function epochLines(stderr: string): Array<{ epoch: number; epochs: number; genotype: string }> {
  return [...stderr.matchAll(EPOCH_LINE)].map((m) => ({ epoch: Number(m[1]), epochs: Number(m[2]), genotype: m[3]! }));
}

/**
 * Checks what a finished search stored: its epoch events and metrics, its result, genotype.json and alphas.json.
 * After a resume, an epoch cut off after its event but before its checkpoint is run again; the timeline the API
 * reads (epochTimeline) must still be 1..epochs.
 */
async function checkStored(
  jobId: number,
  space: 'darts' | 'nb201',
  epochs: number,
  resumed = false,
): Promise<SearchResult> {
  const { job, events } = await jobEvents(jobId);
  expect(job.state, job.message ?? '').toBe('done');
  const raw = events.filter((e) => e.event.type === 'search-epoch');
  for (const e of raw) SearchEpochData.parse((e.event as { data: unknown }).data);
  const snapshots = epochTimeline(events);
  const all = Array.from({ length: epochs }, (_, i) => i + 1);
  expect(snapshots.map((s) => s.epoch)).toEqual(all);
  if (!resumed) expect(raw).toHaveLength(epochs);
  for (const s of snapshots) {
    expect(s).toMatchObject({ epochs, space });
    expect(s.genotype.space).toBe(space);
    for (const v of [s.trainLoss, s.valLoss, s.seconds, s.lr]) expect(Number.isFinite(v)).toBe(true);
    for (const v of [s.trainAccuracy, s.valAccuracy])
      expect(v >= 0 && v <= 1, `accuracy ${v} is a fraction`).toBe(true);
    expect(s.alphas.normal).toHaveLength(space === 'darts' ? 14 : 6);
    expect(s.alphas.reduce === undefined).toBe(space === 'nb201');
  }
  const metrics = events.flatMap((e) => (e.event.type === 'metric' ? [e.event] : []));
  for (const name of ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'epoch_seconds', 'lr']) {
    const at = metrics.filter((m) => m.name === name).map((m) => m.epoch);
    expect(resumed ? [...new Set(at)].sort((a, b) => a! - b!) : at, name).toEqual(all);
  }
  const progress = events.flatMap((e) => (e.event.type === 'progress' ? [e.event] : []));
  expect(progress.length).toBeGreaterThan(0);
  if (!resumed) {
    // one figure that only rises, through named phases: the epochs, then testing the supernet, to the end
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
    expect([...new Set(progress.map((p) => p.phase))]).toEqual(['searching', 'testing']);
    expect(progress.at(-1)).toMatchObject({ phase: 'testing', phaseIndex: 1, phaseCount: 2, fraction: 1 });
  }
  const result = job.result as SearchResult;
  expect(result).toMatchObject({ space, strategy: 'full', epochs });
  expect(result.genotype).toEqual(snapshots[snapshots.length - 1]!.genotype);
  expect(parseGenotype(result.genotypeText)).toEqual(result.genotype);
  expect(result.final.valAccuracy).toBe(snapshots[snapshots.length - 1]!.valAccuracy);
  expect(result.seconds).toBeGreaterThan(0);
  expect(result.imagesPerSecond).toBeGreaterThan(0);
  const dir = jobDirFor(dataDir, jobId);
  const doc = parseGenotypeJson(fs.readFileSync(path.join(dir, SEARCH_FILES.genotypeJson), 'utf8'));
  expect(doc.genotype).toEqual(result.genotype);
  expect(doc.provenance).toMatchObject({ jobId, datasetId: data.datasetId, space, strategy: 'full', seed: 3, epochs });
  expect(doc.provenance.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(fs.existsSync(path.join(dir, SEARCH_FILES.alphasJson))).toBe(true);
  return result;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exportGenotype(id: number, ...args: string[]): Promise<CliResult> {
  return runCli(['export', 'genotype', String(id), ...args], dataDir);
}

describe('winnow search (built CLI)', () => {
  let dartsJob = 0;
  let nb201Job = 0;

  it(
    'searches the DARTS space for 2 epochs: one line per epoch on stderr, one JSON document on stdout',
    async () => {
      const r = await runCli([...tinySearch('darts', 2), '--json'], dataDir, SEARCH_TIMEOUT);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as SearchResult & {
        jobId: number;
        state: string;
        datasetId: number;
        meaning: MeaningNote[];
      };
      expect(out).toMatchObject({ state: 'done', space: 'darts', epochs: 2, datasetId: data.datasetId });
      // 2 tiny epochs at the default α learning rate leave α near uniform: the document says so
      expect(out.meaning.map((n) => [n.level, n.code])).toEqual([['warn', 'alpha-uniform']]);
      dartsJob = out.jobId;
      expect(parseDartsGenotype(out.genotypeText)).toEqual(out.genotype);
      // 4 images per class, 2 of them in train_w: 20 per epoch in steps of 8, 8 and 4 → all 20 processed per epoch
      expect(out.imagesProcessed).toBe(40);
      // the final supernet tested on the dataset's whole test split
      expect(withStore((s) => s.datasets.get(data.datasetId)!.splits.test)).toBe(TEST_IMAGES);
      expect(out.supernetTest!.images).toBe(TEST_IMAGES);
      expect(out.supernetTest!.accuracy).toBeGreaterThanOrEqual(0);
      expect(out.supernetTest!.accuracy).toBeLessThanOrEqual(1);
      const lines = epochLines(r.stderr);
      expect(lines.map((l) => `${l.epoch}/${l.epochs}`)).toEqual(['1/2', '2/2']);
      expect(lines[1]!.genotype).toBe(out.genotypeText);
      const stored = await checkStored(dartsJob, 'darts', 2);
      expect(stored.genotypeText).toBe(out.genotypeText);
    },
    SEARCH_TIMEOUT,
  );

  it('exports the DARTS genotype as text (the default), JSON and both cells as SVG; refuses the NB201 form', async () => {
    expect(dartsJob).toBeGreaterThan(0);
    const text = await exportGenotype(dartsJob);
    expect(text.code, text.stderr).toBe(0);
    const g = parseDartsGenotype(text.stdout);
    expect((await exportGenotype(dartsJob, '--format', 'darts')).stdout).toBe(text.stdout);
    const json = await exportGenotype(dartsJob, '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    expect(parseGenotypeJson(json.stdout).genotype).toEqual(g);
    expect(json.stdout).toBe(
      fs.readFileSync(path.join(jobDirFor(dataDir, dartsJob), SEARCH_FILES.genotypeJson), 'utf8').replace(/\n?$/, '\n'),
    );
    for (const cell of ['normal', 'reduce']) {
      const file = path.join(data.root, `darts-${cell}.svg`);
      const svg = await exportGenotype(dartsJob, '--format', 'svg', '--cell', cell, '--out', file, '--json');
      expect(svg.code, svg.stderr).toBe(0);
      expect(JSON.parse(svg.stdout)).toMatchObject({
        jobId: dartsJob,
        filename: `search-${dartsJob}-mnist-sample-darts-full-${cell}.svg`,
        mime: 'image/svg+xml',
        out: file,
      });
      expect(fs.readFileSync(file, 'utf8')).toMatch(/^<svg/);
    }
    const nb = await exportGenotype(dartsJob, '--format', 'nb201');
    expect(nb.code).toBe(2);
    expect(nb.stderr).toMatch(/DARTS space.*no NAS-Bench-201 form/);
    expect((await exportGenotype(dartsJob, '--format', 'png')).code).toBe(2);
  });

  it(
    'searches the NAS-Bench-201 space for 2 epochs; without --json the genotype alone goes to stdout',
    async () => {
      const r = await runCli(tinySearch('nb201', 2), dataDir, SEARCH_TIMEOUT);
      expect(r.code, r.stderr).toBe(0);
      const g = parseNb201(r.stdout);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      nb201Job = Number(/Search (\d+) done: NAS-Bench-201 space, 2 epochs/.exec(r.stderr)?.[1]);
      expect(nb201Job).toBeGreaterThan(dartsJob);
      expect(r.stderr).toMatch(
        /Final: val loss \d+\.\d{3}, accuracy \d+\.\d%; train loss \d+\.\d{3}, accuracy \d+\.\d%\./,
      );
      expect(r.stderr).toMatch(/Time: \d+\.\d s, \d+(\.\d)? images\/s on \w+/);
      expect(r.stderr).toMatch(/Warning: The search has not separated the operations yet.*more epochs/);
      expect(epochLines(r.stderr).map((l) => l.epoch)).toEqual([1, 2]);
      const stored = await checkStored(nb201Job, 'nb201', 2);
      expect(stored.genotype).toEqual(g);
      const text = await exportGenotype(nb201Job, '--format', 'nb201');
      expect(parseNb201(text.stdout)).toEqual(g);
      expect(parseGenotypeJson((await exportGenotype(nb201Job, '--format', 'json')).stdout).genotype).toEqual(g);
      expect((await exportGenotype(nb201Job, '--format', 'svg')).stdout).toMatch(/^<svg/);
      const reduce = await exportGenotype(nb201Job, '--format', 'svg', '--cell', 'reduce');
      expect(reduce.code).toBe(2);
      expect(reduce.stderr).toMatch(/--cell normal/);
      expect((await exportGenotype(nb201Job, '--format', 'darts')).code).toBe(2);
    },
    SEARCH_TIMEOUT,
  );

  it('lists searches newest first; refuses bad flags, datasets and batches with a message', async () => {
    const list = await runCli(['search', 'list', '--json'], dataDir);
    expect(list.code, list.stderr).toBe(0);
    const searches = JSON.parse(list.stdout) as SearchSummary[];
    expect(searches.slice(0, 2).map((s) => [s.jobId, s.space, s.state, s.epochsDone])).toEqual([
      [nb201Job, 'nb201', 'done', 2],
      [dartsJob, 'darts', 'done', 2],
    ]);
    const table = await runCli(['search', 'list'], dataDir);
    expect(table.stderr).toMatch(/id\s+state\s+dataset\s+space/);
    expect((await runCli(['search'], dataDir)).code).toBe(2);
    expect(
      (await runCli(['search', '--dataset', String(data.datasetId), '--space', 'resnet'], dataDir)).stderr,
    ).toMatch(/--space must be one of darts, nb201/);
    const missing = await runCli(['search', '--dataset', '999'], dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no dataset 999/);
    const batch = await runCli(
      ['search', '--dataset', String(data.datasetId), '--limit-per-class', '4', '--batch', '64'],
      dataDir,
    );
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/Lower the batch size or raise the per-class limit/);
    expect((await runCli(['search', '--resume', String(dartsJob), '--epochs', '3'], dataDir)).stderr).toMatch(
      /--resume continues a search/,
    );
    const foreign = await runCli(['search', '--dataset', String(data.datasetId), '--mastery', '0.6'], dataDir);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/--mastery applies to --strategy dds or dds-untrained, not full/);
    const noAe = await runCli(['search', '--dataset', String(data.datasetId), '--strategy', 'dds'], dataDir);
    expect(noAe.code).toBe(2);
    expect(noAe.stderr).toMatch(/DDS needs a trained autoencoder.*--train-ae N/);
    const notSearch = await runCli(['search', '--resume', '1'], dataDir);
    expect(notSearch.code).toBe(1);
    expect(notSearch.stderr).toMatch(/not a search/);
  });

  /**
   * Starts `winnow search` (3 epochs) and kills it right after its first epoch: `what` = 'worker' kills the engine
   * process (the CLI reports the search interrupted), 'cli' kills the CLI itself (the next Winnow finds it dead).
   * The NAS-Bench-201 cell is fast, so it gets more images: an epoch takes seconds, far longer than the kill.
   */
  async function killedSearch(space: 'darts' | 'nb201', what: 'worker' | 'cli'): Promise<number> {
    const { child, output, exited } = startCli(tinySearch(space, 3, space === 'darts' ? 4 : 24), dataDir);
    try {
      await waitFor(() => /^epoch 1\/3/m.test(output.stderr) || child.exitCode !== null, 240_000, 'the first epoch');
      const jobId = Number(/Job (\d+) \(search\) started/.exec(output.stderr)?.[1]);
      expect(jobId, output.stderr).toBeGreaterThan(0);
      if (what === 'worker') {
        const pid = withStore((s) => s.jobs.ownership(jobId)?.workerPid);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid!, 'SIGKILL');
        expect(await exited).toBe(1);
        expect(output.stderr).toMatch(
          new RegExp(
            `Search ${jobId} interrupted after \\d of 3 epochs: Interrupted: the engine process was killed.*resume`,
          ),
        );
      } else {
        // as after a crash: the CLI dies at once; its engine process leaves when it sees its parent gone
        const worker = withStore((s) => s.jobs.ownership(jobId)?.workerPid);
        child.kill('SIGKILL');
        await exited;
        if (worker) await waitFor(() => !alive(worker), 60_000, 'the orphaned engine process to exit');
      }
      return jobId;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  for (const [space, what] of [
    ['darts', 'worker'],
    ['nb201', 'cli'],
  ] as const) {
    it(
      `resumes a ${space} search after its ${what === 'worker' ? 'engine process' : 'CLI'} was killed, to the same 3 epochs and a final result`,
      async () => {
        const jobId = await killedSearch(space, what);
        const before = withStore((s) => getSearch(s, jobId));
        expect(before.summary.epochsDone).toBeGreaterThanOrEqual(1);
        expect(before.summary.epochsDone).toBeLessThan(3);
        const checkpoint = path.join(jobDirFor(dataDir, jobId), SEARCH_FILES.checkpointDir);
        expect(
          fs.existsSync(checkpoint) && fs.readdirSync(checkpoint).length > 0,
          'the checkpoint survives the kill',
        ).toBe(true);

        const r = await runCli(['search', '--resume', String(jobId), '--json'], dataDir, SEARCH_TIMEOUT);
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as SearchResult & { jobId: number; state: string };
        expect(out).toMatchObject({ jobId, state: 'done', space, epochs: 3 });
        expect(parseGenotype(out.genotypeText)).toEqual(out.genotype);
        // the resumed run went on from the checkpoint: it printed only the epochs after it
        const resumed = epochLines(r.stderr).map((l) => l.epoch);
        expect(resumed[resumed.length - 1]).toBe(3);
        expect(resumed[0]).toBeGreaterThan(1);
        await checkStored(jobId, space, 3, true);
        const after = withStore((s) => getSearch(s, jobId));
        expect(after.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
        expect(after.result).toMatchObject({ epochs: 3, genotypeText: out.genotypeText });
        expect(withStore((s) => s.jobs.get(jobId)!.attempts)).toBe(2);
      },
      SEARCH_TIMEOUT * 2,
    );
  }
});
