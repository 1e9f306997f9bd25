/**
 * `winnow evaluate` end to end through the built CLI on slices of the MNIST sample: a baseline trained and tested,
 * its model exported and reloaded with plain `tf.loadLayersModel` (same predictions as the report), imported back;
 * a search's genotype evaluated; an evaluation whose engine process is killed, resumed to the end; bad arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  EvaluateEpochData,
  ModelReportFile,
  type EvaluateResult,
  type EvaluationSummary,
  type ModelSummary,
} from '../../shared/evaluate.js';
import type { SearchResult } from '../../shared/search.js';
import { evaluateTimeline, getEvaluation } from '../../main/api/evaluations.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImages } from '../../main/data/tensor-store.js';
import { EVALUATE_FILES } from '../../main/engine/evaluate/context.js';
import { jobDirFor } from '../../main/store/paths.js';
import { cliDataFolder, importWithCli, startCli } from '../helpers/cli-data.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmp.js';

const data = cliDataFolder(['dataset', 'sample', 'mnist'], 180_000);
const dataDir = data.dir;
const TIMEOUT = 300_000;
/** 20 training images per class, the tiny preset: an epoch takes about a second on wasm. */
const QUICK = ['--preset', 'tiny', '--limit-per-class', '20', '--batch', '16', '--seed', '5'];

const { withStore } = data;

/**
 * The sample again with 5% held out for testing (the least the import allows): 501 test images instead of 2,000,
 * for the tests that do not look at the test split. Testing is most of their time: a search tests its supernet on
 * every test image, an evaluation tests after every epoch. Imported once, when first asked for, after the tests
 * of the first dataset's model (whose import matches a model to its dataset).
 */
let smallTestId = 0;
async function smallTestSplit(): Promise<number> {
  if (smallTestId === 0)
    smallTestId = await importWithCli(dataDir, ['dataset', 'sample', 'mnist', '--test-fraction', '0.05', '--again']);
  return smallTestId;
}

/** What a tfjs app does with an exported folder: fetch model.json and its weights, then tf.loadLayersModel. */
async function loadLikeAnyTfjsApp(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const bytes = fs.readFileSync(path.join(dir, modelJson.weightsManifest[0]!.paths[0]!));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
}

describe('winnow evaluate', () => {
  let baselineJob = 0;
  let exported = '';

  it(
    'trains the baseline CNN, tests it, and stores its model',
    async () => {
      const r = await runCli(
        [
          'evaluate',
          '--dataset',
          String(data.datasetId),
          '--baseline',
          'cnn',
          '--epochs',
          '2',
          ...QUICK,
          '--limit-per-class',
          '50',
          '--json',
        ],
        dataDir,
        TIMEOUT,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as EvaluateResult & { jobId: number; state: string };
      baselineJob = out.jobId;
      expect(out).toMatchObject({ state: 'done', epochs: 2, genotypeText: null });
      expect(out.network).toMatchObject({ kind: 'cnn', layers: 0, auxiliary: false });
      expect(out.parameters).toBeGreaterThan(1000);
      expect(out.multiplyAdds).toBeGreaterThan(out.parameters);
      // the MNIST sample's test split: 2,000 images, 10 classes; the confusion matrix adds up to them
      expect(out.test.images).toBe(2000);
      expect(out.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2000);
      expect(out.test.perClass.map((c) => c.total).reduce((a, b) => a + b, 0)).toBe(2000);
      // 500 digits, two epochs, a 5k-weight network: far from done, but on 2,000 test images 20% is ~10 standard
      // deviations above chance (10%), which only a network that learns reaches
      expect(out.test.accuracy).toBeGreaterThan(0.2);
      expect(out.modelId).toBeGreaterThan(0);
      const detail = withStore((s) => getEvaluation(s, baselineJob));
      expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      for (const e of detail.epochs) EvaluateEpochData.parse(e);
      expect(detail.epochs[1]!.testAccuracy).toBeCloseTo(out.test.accuracy, 10);
      expect(detail.epochs[0]!.images).toBe(496); // 500 images in batches of 16: 31 full steps
      expect(
        fs.existsSync(path.join(jobDirFor(dataDir, baselineJob), EVALUATE_FILES.modelStaging)),
        'the staged model moved into the models folder',
      ).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'exports the model, which plain tf.loadLayersModel reloads with the same predictions; imports it back',
    async () => {
      exported = path.join(data.root, 'exported');
      const r = await runCli(['export', 'model', String(baselineJob), '--out', exported], dataDir);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readdirSync(exported).sort()).toEqual(['model.json', 'report.json', 'weights.bin']);
      const report = ModelReportFile.parse(JSON.parse(fs.readFileSync(path.join(exported, 'report.json'), 'utf8')));
      expect(report.test).not.toBeNull();

      await tf.setBackend('cpu');
      const model = await loadLikeAnyTfjsApp(exported);
      const classes = JSON.stringify(model.toJSON(null, false));
      expect(classes).not.toMatch(/DropPath/);
      const d = withStore((s) => ({
        detail: s.datasets.detail(data.datasetId)!,
        labels: s.datasets.labels(data.datasetId),
      }));
      const testRows = d.labels.split.flatMap((s, i) => (s === 'test' ? [i] : []));
      const images = PackedImages.load(
        path.join(
          withStore((s) => s.datasets.dir(data.datasetId)!),
          IMAGES_FILE,
        ),
        d.detail,
      );
      const { mean, std, height, width, channels } = report.preprocessing;
      const bytes = images.gather(testRows);
      const x = tf.tidy(() =>
        tf.div(
          tf.sub(
            tf.div(tf.tensor4d(bytes, [testRows.length, height, width, channels], 'float32'), 255),
            tf.tensor1d(mean),
          ),
          tf.tensor1d(std),
        ),
      );
      const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).dataSync();
      const confusion = report.classNames.map(() => report.classNames.map(() => 0));
      testRows.forEach((row, i) => confusion[d.labels.label[row]!]![predicted[i]!]!++);
      // the same predictions as the job's own test pass (cpu here vs the job's wasm can flip a near-tie: allow 2 of 2,000)
      const differing =
        confusion.flat().reduce((a, v, k) => a + Math.abs(v - report.test!.confusion.flat()[k]!), 0) / 2;
      expect(differing).toBeLessThanOrEqual(2);
      x.dispose();
      model.dispose();

      const imported = await runCli(['model', 'import', exported, '--name', 'round trip', '--json'], dataDir);
      expect(imported.code, imported.stderr).toBe(0);
      const m = JSON.parse(imported.stdout) as ModelSummary;
      expect(m).toMatchObject({
        origin: 'import',
        name: 'round trip',
        jobId: null,
        datasetId: data.datasetId,
        parameters: report.parameters,
      });
      // the one-file export imports back as the same model
      const zip = path.join(data.root, 'baseline.winnow-model.zip');
      const packed = await runCli(['export', 'model', String(baselineJob), '--out', zip], dataDir);
      expect(packed.code, packed.stderr).toBe(0);
      expect(packed.stderr).toContain(`winnow model import ${zip}`);
      const fromZip = await runCli(['model', 'import', zip, '--json'], dataDir);
      expect(fromZip.code, fromZip.stderr).toBe(0);
      expect(JSON.parse(fromZip.stdout)).toMatchObject({
        origin: 'import',
        datasetId: data.datasetId,
        parameters: report.parameters,
      });
      expect((await runCli(['export', 'model', String(baselineJob), '--out', zip], dataDir)).stderr).toMatch(
        /already exists; choose a new file name/,
      );
      const list = JSON.parse((await runCli(['model', 'list', '--json'], dataDir)).stdout) as ModelSummary[];
      expect(list.map((x) => x.origin).sort()).toEqual(['evaluate', 'import', 'import']);
      const bad = await runCli(['model', 'import', data.root], dataDir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/model\.json is missing/);
    },
    TIMEOUT,
  );

  it(
    "evaluates the genotype of a finished search, and lists it with the search's cost",
    async () => {
      const small = await smallTestSplit();
      const s = await runCli(
        [
          'search',
          '--dataset',
          String(small),
          '--epochs',
          '1',
          '--cells',
          '3',
          '--channels',
          '4',
          '--batch',
          '8',
          '--limit-per-class',
          '4',
          '--json',
        ],
        dataDir,
        TIMEOUT,
      );
      expect(s.code, s.stderr).toBe(0);
      const search = JSON.parse(s.stdout) as SearchResult & { jobId: number };
      const r = await runCli(
        [
          'evaluate',
          '--dataset',
          String(small),
          '--from-search',
          String(search.jobId),
          '--epochs',
          '1',
          ...QUICK,
          '--json',
        ],
        dataDir,
        TIMEOUT,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as EvaluateResult & { jobId: number };
      expect(out.genotypeText).toBe(search.genotypeText);
      expect(out.network).toMatchObject({ kind: 'darts', channels: 8, layers: 3, genotype: search.genotype });
      const listed = (
        JSON.parse((await runCli(['evaluate', 'list', '--json'], dataDir)).stdout) as EvaluationSummary[]
      ).find((e) => e.jobId === out.jobId)!;
      expect(listed.search).toMatchObject({ jobId: search.jobId, strategy: 'full' });
      expect(listed.search!.seconds).toBeCloseTo(search.seconds, 6);
      expect(listed.search!.images).toBe(Math.round(search.imagesPerSecond * search.seconds));
      // the model keeps the search's genotype.json (with its provenance) beside it
      const dir = path.join(data.root, 'searched');
      expect((await runCli(['export', 'model', String(out.jobId), '--out', dir], dataDir)).code).toBe(0);
      const genotype = JSON.parse(fs.readFileSync(path.join(dir, 'genotype.json'), 'utf8')) as {
        provenance: { jobId: number };
      };
      expect(genotype.provenance.jobId).toBe(search.jobId);
    },
    TIMEOUT,
  );

  it(
    'resumes an evaluation whose engine process was killed after its first epoch, to the end',
    async () => {
      const { child, output, exited } = startCli(
        ['evaluate', '--dataset', String(await smallTestSplit()), '--baseline', 'resnet20', '--epochs', '3', ...QUICK],
        dataDir,
      );
      let jobId = 0;
      try {
        await waitFor(() => /^epoch 1\/3/m.test(output.stderr) || child.exitCode !== null, 240_000, 'the first epoch');
        jobId = Number(/Job (\d+) \(evaluate\) started/.exec(output.stderr)?.[1]);
        expect(jobId, output.stderr).toBeGreaterThan(0);
        const pid = withStore((s) => s.jobs.ownership(jobId)?.workerPid);
        process.kill(pid!, 'SIGKILL');
        expect(await exited).toBe(1);
        expect(output.stderr).toMatch(new RegExp(`Evaluation ${jobId} interrupted after \\d of 3 epochs.*resume`));
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const r = await runCli(['evaluate', '--resume', String(jobId), '--json'], dataDir, TIMEOUT);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ jobId, state: 'done', epochs: 3 });
      const events = withStore((s) => s.jobs.events(jobId, 0, 10_000, ['evaluate-epoch']));
      expect(evaluateTimeline(events).map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(r.stderr).not.toMatch(/^epoch 1\/3/m);
    },
    TIMEOUT,
  );

  it('refuses bad arguments with a message that says what to do', async () => {
    const none = await runCli(['evaluate', '--dataset', String(data.datasetId)], dataDir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/exactly one of --from-search, --genotype or --baseline/);
    const bad = await runCli(
      ['evaluate', '--dataset', String(data.datasetId), '--genotype', 'Genotype(normal=[("conv_9x9", 0)])'],
      dataDir,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/The genotype cannot be read/);
    const unfinished = await runCli(
      ['evaluate', '--dataset', String(data.datasetId), '--from-search', String(baselineJob)],
      dataDir,
    );
    expect(unfinished.code).toBe(1);
    expect(unfinished.stderr).toMatch(/There is no search/);
    expect((await runCli(['evaluate', '--resume', String(baselineJob), '--epochs', '3'], dataDir)).stderr).toMatch(
      /--resume continues an evaluation/,
    );
    expect((await runCli(['export', 'model', String(baselineJob), '--out', exported], dataDir)).stderr).toMatch(
      /already holds a model\.json/,
    );
  });
});
