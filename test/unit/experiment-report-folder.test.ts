import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { PNG_WIDTH, writeReportFolder } from '../../main/experiment/report-folder.js';
import { buildExperimentReport } from '../../shared/experiment-report.js';
import { ExperimentParams, experimentCells, type ExperimentParamsInput } from '../../shared/experiment.js';
import { experimentFixture, parseCsv } from '../fixtures/experiment-report.js';
import { tempDir } from '../helpers/tmp.js';

const inputOf = (over: Partial<ExperimentParamsInput> = {}) => {
  const f = experimentFixture(over);
  const report = buildExperimentReport(f.params, f.input, f.datasetName);
  return { params: f.params, report, runs: f.input.runs, cells: f.input.cells, classes: f.input.classes };
};

describe('writeReportFolder', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('writes the report, the runs, the grid and every chart as SVG and PNG', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const dir = path.join(t.dir, 'job-12', 'report');
    const input = inputOf();
    const files = await writeReportFolder(dir, input);
    // every seed's derived cells, in the report's cell order, then by seed
    const drawings = input.cells
      .filter((c) => !c.baseline)
      .flatMap((c) =>
        input.runs
          .filter((r) => r.cell === c.key && r.genotypeText)
          .sort((a, b) => a.seed - b.seed)
          .flatMap((r) =>
            ['normal', 'reduce'].map(
              (part) => `cell-${c.key.replace(/[^A-Za-z0-9]+/g, '-')}-seed${r.seed}-${part}.svg`,
            ),
          ),
      );
    expect(new Set(drawings.map((d) => d.replace(/-seed\d+-/, '-'))).size).toBeLessThan(drawings.length);
    expect(files).toEqual([
      'report.md',
      'results.csv',
      'experiment.json',
      'accuracy-vs-search-time.svg',
      'accuracy-vs-search-time.png',
      'accuracy-per-cell.svg',
      'accuracy-per-cell.png',
      ...drawings,
    ]);
    // each searched cell's derived genotype is drawn, and the report shows the drawings
    for (const name of drawings) {
      expect(fs.readFileSync(path.join(dir, name), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*sep_conv_3x3|max_pool_3x3/);
      expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain(`(${name})`);
    }
    expect(fs.readdirSync(dir).sort()).toEqual([...files].sort());
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(/^# Selection on digits\n/);

    const csv = parseCsv(fs.readFileSync(path.join(dir, 'results.csv'), 'utf8'));
    expect(csv[0]!.slice(0, 2)).toEqual(['cell', 'label']);
    expect(csv).toHaveLength(1 + input.runs.length);

    // the parameters as given, and a grid `winnow experiment run` reads back to the same cells
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'experiment.json'), 'utf8'));
    expect(json).toEqual(input.params);
    expect(experimentCells(ExperimentParams.parse(json))).toEqual(input.cells);

    for (const name of files.filter((f) => f.endsWith('.png'))) {
      const meta = await sharp(path.join(dir, name)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(PNG_WIDTH);
      expect(meta.height).toBe(1000);
    }
    expect(fs.readFileSync(path.join(dir, 'accuracy-per-cell.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('replaces a previous report whole and leaves nothing beside it', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const dir = path.join(t.dir, 'report');
    const compression = [{ quality: null }, { quality: 20, stages: ['evaluation' as const] }];
    const first = await writeReportFolder(dir, inputOf({ compression, strategies: ['dds'], baselines: [] }));
    expect(first).toContain('compression-stages.png');
    fs.writeFileSync(path.join(dir, 'stray.txt'), 'from before');
    const second = await writeReportFolder(dir, inputOf({ scale: 'quick', seeds: [0] }));
    expect(fs.readdirSync(dir).sort()).toEqual([...second].sort());
    expect(second).not.toContain('compression-stages.png');
    expect(fs.readdirSync(t.dir)).toEqual(['report']);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('not evidence');
  });
});
