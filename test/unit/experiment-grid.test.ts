/**
 * The experiment grid: its cells, its expansion into child jobs with their dependencies (shared nodes where the
 * settings are identical), references filled from finished children, the settings refused with their reason, the
 * presets at every scale, and finding a finished job of identical settings in the store (what is reused).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ExperimentParams,
  canonicalJson,
  expandExperiment,
  experimentCells,
  resolveRefs,
  type ExperimentParamsInput,
  type PlanNode,
} from '../../shared/experiment.js';
import { EXPERIMENT_PRESETS, bdpEpochs, presetParams } from '../../shared/experiment-presets.js';
import { EXPERIMENT_SCALES } from '../../shared/experiment.js';
import { ddsReplaced, findIdenticalJob } from '../../main/experiment/orchestrator.js';
import { parseDartsGenotype } from '../../shared/genotype/text.js';
import type { SearchEpochData } from '../../shared/search.js';
import { DARTS_TEXT } from '../helpers/genotype.js';
import { runningSeconds } from '../../main/jobs/experiment.js';
import { jobKind, parseJobParams } from '../../main/jobs/registry.js';
import { Store } from '../../main/store/index.js';
import { tempDir } from '../helpers/tmp.js';

const grid = (p: Partial<ExperimentParamsInput> = {}) => ExperimentParams.parse({ datasetId: 7, ...p });
const kinds = (nodes: readonly PlanNode[]) => nodes.map((n) => n.kind);

/** Every node comes after the nodes it depends on, and names only nodes of the plan. */
function expectTopological(nodes: readonly PlanNode[]): void {
  const seen = new Set<string>();
  for (const n of nodes) {
    for (const d of n.deps) expect(seen.has(d), `${n.key} needs ${d} first`).toBe(true);
    seen.add(n.key);
  }
}

describe('experiment grid', () => {
  it('has one cell per strategy × algorithm × compression arm, baselines last', () => {
    const cells = experimentCells(
      grid({
        strategies: ['full', 'dds'],
        algorithms: ['darts', 'gdas'],
        compression: [
          { quality: null, stages: [] },
          { quality: 15, stages: ['search', 'evaluation'] },
        ],
        baselines: ['cnn'],
      }),
    );
    expect(cells.map((c) => c.key)).toEqual([
      'full/darts/original',
      'full/darts/q15@evaluation+search',
      'full/gdas/original',
      'full/gdas/q15@evaluation+search',
      'dds/darts/original',
      'dds/darts/q15@evaluation+search',
      'dds/gdas/original',
      'dds/gdas/q15@evaluation+search',
      'baseline:cnn/original',
      'baseline:cnn/q15@evaluation+search',
    ]);
    expect(cells[5]!.label).toBe('DDS, darts, JPEG 15 at search, evaluation');
  });

  it('expands a cell into autoencoder → search → evaluation → study, in dependency order', () => {
    const plan = expandExperiment(
      grid({ strategies: ['dds'], seeds: [0, 1], study: { qualities: [50] }, search: { epochs: 2 } }),
    );
    expect(kinds(plan.nodes)).toEqual([
      ...['autoencoder', 'search', 'evaluate', 'compress'],
      ...['autoencoder', 'search', 'evaluate', 'compress'],
    ]);
    expectTopological(plan.nodes);
    const [ae, search, evaluate, study] = plan.nodes;
    expect(search!.params).toMatchObject({
      datasetId: 7,
      seed: 0,
      strategy: 'dds',
      algorithm: 'darts',
      epochs: 2,
      autoencoderId: { $from: ae!.key, take: 'autoencoderId' },
    });
    expect(evaluate!.params.source).toEqual({ kind: 'search', jobId: { $from: search!.key, take: 'jobId' } });
    expect(study!.params.model).toEqual({ kind: 'model', modelId: { $from: evaluate!.key, take: 'modelId' } });
    expect(study!.params.qualities).toEqual([50]);
    // seeds are separate children
    expect(new Set(plan.nodes.map((n) => n.key)).size).toBe(8);
  });

  it('shares a node between cells whose settings are identical up to it', () => {
    const plan = expandExperiment(
      grid({
        strategies: ['dds'],
        compression: [
          { quality: null, stages: [] },
          { quality: 5, stages: ['evaluation'] },
          { quality: 5, stages: ['search', 'evaluation'] },
          { quality: 5, stages: ['autoencoder', 'search', 'evaluation'] },
        ],
      }),
    );
    // one search on originals serves the originals and the evaluation-only arm; the autoencoder on originals
    // serves three arms
    expect(kinds(plan.nodes).filter((k) => k === 'autoencoder')).toHaveLength(2);
    expect(kinds(plan.nodes).filter((k) => k === 'search')).toHaveLength(3);
    expect(kinds(plan.nodes).filter((k) => k === 'evaluate')).toHaveLength(4);
    const originalSearch = plan.nodes.find((n) => n.kind === 'search' && n.params.jpegQuality === undefined)!;
    expect(originalSearch.cells).toEqual(['dds/darts/original', 'dds/darts/q5@evaluation']);
    const compressedEval = plan.nodes.find((n) => n.kind === 'evaluate' && n.cells[0] === 'dds/darts/q5@evaluation')!;
    expect(compressedEval.params).toMatchObject({ jpegQuality: 5, jpegSubsampling: '4:2:0' });
    expect(compressedEval.deps).toEqual([originalSearch.key]);
    expectTopological(plan.nodes);
  });

  it('maps bdp-no-balance to BDP without its balance, and names its reference', () => {
    const plan = expandExperiment(grid({ strategies: ['bdp', 'bdp-no-balance'] }));
    expect(plan.nodes.filter((n) => n.kind === 'search').map((n) => [n.params.strategy, n.params.balance])).toEqual([
      ['bdp', undefined],
      ['bdp', false],
    ]);
    expect(plan.reference).toBe('bdp/darts/original');
    expect(plan.referenceNote).toContain('no full-data search on the original images');
    expect(expandExperiment(grid({ strategies: ['random', 'full'] })).reference).toBe('full/darts/original');
  });

  it('fills references from finished children and says which is missing', () => {
    const params = { source: { kind: 'search', jobId: { $from: 'search:a', take: 'jobId' } }, seed: 1 };
    expect(resolveRefs(params, new Map([['search:a', { jobId: 12 }]]))).toEqual({
      source: { kind: 'search', jobId: 12 },
      seed: 1,
    });
    expect(() => resolveRefs(params, new Map())).toThrow('search:a has not given its jobId yet.');
  });

  it('writes equal settings as one canonical text, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1, z: undefined }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it('refuses settings a child does not have, or that the grid sets, saying which', () => {
    const typo = ExperimentParams.safeParse({ datasetId: 1, search: { epochz: 3 } });
    expect(typo.success).toBe(false);
    expect(typo.error!.issues[0]!.message).toContain('a search has no setting "epochz"');
    const gridOwned = ExperimentParams.safeParse({ datasetId: 1, evaluate: { seed: 3 } });
    expect(gridOwned.error!.issues[0]!.message).toBe('the grid sets "seed" for each evaluation');
    // nothing is filled in: parsing twice gives the same settings (a rerun from experiment.json is the same grid)
    const once = ExperimentParams.parse({ datasetId: 1, search: { epochs: 2 } });
    expect(ExperimentParams.parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
    expect(once.search).toEqual({ epochs: 2 });
  });

  it('expands every preset at every scale into a valid, ordered plan', () => {
    for (const id of EXPERIMENT_PRESETS)
      for (const scale of EXPERIMENT_SCALES) {
        const params = ExperimentParams.parse(presetParams(id, scale, 3));
        const plan = expandExperiment(params);
        expect(plan.cells.length, `${id} ${scale}`).toBeGreaterThan(1);
        expectTopological(plan.nodes);
        expect(params).toMatchObject({ preset: id, scale, datasetId: 3 });
      }
    const ablation = expandExperiment(ExperimentParams.parse(presetParams('dds-ablation', 'small', 3)));
    expect(ablation.cells.map((c) => c.strategy)).toEqual(['full', 'random', 'dds', 'dds-untrained']);
    expect(kinds(ablation.nodes).filter((k) => k === 'search')).toHaveLength(12);
    const compression = expandExperiment(ExperimentParams.parse(presetParams('dds-under-compression', 'paper', 3)));
    expect(compression.cells).toHaveLength(13);
  });

  it('gives BDP enough epochs for its pruning to leave about half the images', () => {
    expect(bdpEpochs(5, 0.2)).toEqual({ epochs: 21, prunes: 4 });
    expect(bdpEpochs(2, 0.3)).toEqual({ epochs: 5, prunes: 2 });
    const { epochs, prunes } = bdpEpochs(3, 0.2);
    expect(0.8 ** prunes).toBeLessThanOrEqual(0.5);
    expect(0.8 ** (prunes - 1)).toBeGreaterThan(0.5);
    expect(epochs).toBe(prunes * 3 + 1);
  });
});

describe('finding a job of identical settings', () => {
  const t = tempDir();
  const store = Store.open(path.join(t.dir, 'winnow.db'));
  afterAll(() => {
    store.close();
    t.cleanup();
  });
  const params = { datasetId: 1, source: { kind: 'baseline', name: 'cnn' }, epochs: 2 };

  it('prefers a done job, then one under way, then one that stopped; other settings never match', () => {
    // the orchestrator looks up a child's parameters as the kind parsed them
    const parsed = parseJobParams(jobKind('evaluate'), params).data;
    expect(findIdenticalJob(store, 'evaluate', parsed)).toBeNull();
    const stopped = store.jobs.create('evaluate', params, process.pid);
    store.jobs.appendEvent(stopped.id, { type: 'state', state: 'interrupted' });
    expect(findIdenticalJob(store, 'evaluate', parsed)?.id).toBe(stopped.id);
    const queued = store.jobs.create('evaluate', { ...params }, process.pid);
    expect(findIdenticalJob(store, 'evaluate', parsed)?.id).toBe(queued.id);
    // stored parameters are compared after the kind's schema fills its defaults, in any key order
    const done = store.jobs.create(
      'evaluate',
      { epochs: 2, datasetId: 1, source: { name: 'cnn', kind: 'baseline' } },
      process.pid,
    );
    store.jobs.appendEvent(done.id, { type: 'state', state: 'done' });
    expect(findIdenticalJob(store, 'evaluate', parsed)?.id).toBe(done.id);
    expect(findIdenticalJob(store, 'search', parsed)).toBeNull();
    const otherEpochs = parseJobParams(jobKind('evaluate'), { ...params, epochs: 3 }).data;
    expect(findIdenticalJob(store, 'evaluate', otherEpochs)).toBeNull();
  });

  it('counts the images a DDS search replaced, once per epoch across a resume; none for other strategies', () => {
    const epoch = (n: number, replaced?: number): SearchEpochData => ({
      epoch: n,
      epochs: 3,
      space: 'darts',
      trainLoss: 1,
      trainAccuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      lr: 0.01,
      seconds: 1,
      images: 10,
      alphas: { normal: [[1]], reduce: [[1]] },
      genotype: parseDartsGenotype(DARTS_TEXT),
      ...(replaced === undefined
        ? {}
        : {
            selection: {
              trainSize: 10,
              valSize: 10,
              perClass: { train: [10], val: [10] },
              balance: 1,
              dds: {
                mastery: 0.9,
                easy: replaced,
                hard: 0,
                replaced,
                uniqueSeen: 10,
                subset: [],
                hardRows: [],
                replacedRows: [],
              },
            },
          }),
    });
    const search = (epochs: SearchEpochData[]) => {
      const job = store.jobs.create('search', { datasetId: 1 }, process.pid);
      for (const data of epochs) store.jobs.appendEvent(job.id, { type: 'search-epoch', data });
      return job.id;
    };
    // epochs 1-2, cut off, resumed from epoch 2: the resumed attempt's epoch 2 counts, not both
    expect(ddsReplaced(store, search([epoch(1, 0), epoch(2, 5), epoch(2, 3), epoch(3, 4)]))).toBe(7);
    expect(ddsReplaced(store, search([epoch(1, 0), epoch(2, 0)]))).toBe(0);
    expect(ddsReplaced(store, search([epoch(1), epoch(2)]))).toBeNull();
  });

  it("counts an experiment's running time over its attempts, not the time it waited interrupted", () => {
    const job = store.jobs.create('experiment', { datasetId: 1 }, process.pid);
    const at = (state: 'running' | 'interrupted' | 'queued' | 'done', ts: number) =>
      store.jobs.appendEvent(job.id, { type: 'state', state }, ts);
    at('running', 1_000);
    at('interrupted', 3_000);
    at('queued', 10_000);
    at('running', 20_000);
    expect(runningSeconds(store, job.id, 21_500)).toBe(3.5);
    at('done', 25_000);
    expect(runningSeconds(store, job.id, 99_000)).toBe(7);
  });
});
