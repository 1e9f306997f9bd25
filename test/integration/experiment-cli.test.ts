/**
 * `winnow experiment` end to end through the built CLI: a one-cell grid from a JSON file runs to its report, `list`
 * and `show` read it back, `report --out` writes the folder whose experiment.json reruns the grid (every child
 * reused), a preset's plan is printed with --estimate, and bad input is refused with what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExperimentDetail, ExperimentPlanView, ExperimentSummary } from '../../shared/experiment.js';
import { runCli } from '../helpers/cli.js';
import { cliDataFolder, runCliJson } from '../helpers/cli-data.js';

const data = cliDataFolder(['dataset', 'synth', 'chroma', '--n', '60', '--size', '16', '--seed', '4'], 120_000);

const tinyGrid = () => ({
  name: 'from a file',
  datasetId: data.datasetId,
  strategies: ['random'],
  seeds: [0],
  search: { epochs: 1, batch: 8, channels: 2, cells: 1, limitPerClass: 6, subset: 6 },
  evaluate: { preset: 'tiny', channels: 4, layers: 1, epochs: 1, batch: 16, limitPerClass: 6 },
  backend: 'wasm',
});

describe('winnow experiment', () => {
  it('runs a grid from a file, lists and shows it, and writes its report folder', async () => {
    const file = path.join(data.root, 'grid.json');
    fs.writeFileSync(file, JSON.stringify(tinyGrid()));
    const run = await runCliJson<ExperimentDetail & { jobId: number; state: string }>(
      ['experiment', 'run', file],
      data.dir,
      240_000,
    );
    expect(run.state).toBe('done');
    expect(run.summary.children).toEqual({ total: 2, done: 2, failed: 0 });
    expect(run.report?.cells).toHaveLength(1);

    const list = await runCliJson<ExperimentSummary[]>(['experiment', 'list'], data.dir);
    expect(list.map((e) => [e.jobId, e.name, e.state])).toEqual([[run.jobId, 'from a file', 'done']]);
    const shown = await runCli(['experiment', 'show', String(run.jobId)], data.dir);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain('Random subset');
    expect(shown.stderr).toMatch(/not evidence|No significance test/);

    const out = path.join(data.root, 'report');
    const written = await runCli(['experiment', 'report', String(run.jobId), '--out', out], data.dir);
    expect(written.code, written.stderr).toBe(0);
    expect(fs.readdirSync(out)).toEqual(expect.arrayContaining(['report.md', 'results.csv', 'experiment.json']));

    // the folder's experiment.json runs the same grid again: every child is reused, and the run says so
    const again = await runCli(['experiment', 'run', path.join(out, 'experiment.json'), '--name', 'rerun'], data.dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('1 cells, 2 child jobs.');
    expect(again.stderr).toMatch(/Reused job \d+ \(search, seed 0\): it ran with identical settings\./);
    const rerun = (await runCliJson<ExperimentSummary[]>(['experiment', 'list'], data.dir))[0]!;
    const shownAgain = await runCliJson<ExperimentDetail>(['experiment', 'show', String(rerun.jobId)], data.dir);
    expect(shownAgain.summary).toMatchObject({ name: 'rerun', state: 'done' });
    expect(shownAgain.nodes.every((n) => n.reused)).toBe(true);
  }, 600_000);

  it("prints a preset's plan and cost with --estimate, and refuses bad input saying what to do", async () => {
    const plan = await runCliJson<ExperimentPlanView>(
      ['experiment', 'run', '--preset', 'bdp', '--dataset', String(data.datasetId), '--backend', 'wasm', '--estimate'],
      data.dir,
      240_000,
    );
    expect(plan.cells.map((c) => c.strategy)).toEqual(['full', 'bdp', 'bdp-no-balance']);
    expect(plan.jobs).toMatchObject({ search: 3, evaluate: 3, total: 6 });

    const noGrid = await runCli(['experiment', 'run'], data.dir);
    expect(noGrid.code).toBe(2);
    expect(noGrid.stderr).toContain('FILE.json or as --preset');
    const badSetting = path.join(data.root, 'bad.json');
    fs.writeFileSync(badSetting, JSON.stringify({ ...tinyGrid(), search: { epochz: 2 } }));
    const refused = await runCli(['experiment', 'run', badSetting], data.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('a search has no setting "epochz"');
  }, 300_000);
});
