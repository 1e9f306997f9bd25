/**
 * DSM-NAS through the built CLI on the MNIST sample with tiny settings: `winnow search --algorithm dsm` runs a
 * 20-iteration search to a valid NB201 genotype (--json: the result document; without: the iteration and done
 * lines) and `winnow search --resume` of it goes to its kind, `winnow dsm-search` is the same job kind's own command, and `--algorithm` refuses other values, listing
 * the valid ones.
 */
import { describe, expect, it } from 'vitest';
import { DsmResult } from '../../shared/dsm.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import { cliDataFolder } from '../helpers/cli-data.js';
import { runCli } from '../helpers/cli.js';

const data = cliDataFolder(['dataset', 'sample', 'mnist'], 180_000);
const dataDir = data.dir;
const TINY = [
  ['--subspaces', '4'],
  ['--distance', '2'],
  ['--controller-hidden', '8'],
  ['--channels', '2'],
  ['--cells', '1'],
  ['--input-size', '8'],
  ['--supernet-epochs', '1'],
  ['--supernet-batch', '8'],
  ['--calibration-batches', '1'],
  ['--limit-per-class', '8'],
  ['--seed', '2'],
].flat();

describe('winnow search --algorithm dsm', () => {
  let finishedJob = 0;

  it('runs a 20-iteration DSM-NAS search to a valid NB201 genotype', async () => {
    const t0 = performance.now();
    const r = await runCli(
      ['search', '--algorithm', 'dsm', '--dataset', String(data.datasetId), '--iterations', '20', ...TINY, '--json'],
      dataDir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(performance.now() - t0).toBeLessThan(100_000);
    const doc = JSON.parse(r.stdout) as { jobId: number; state: string; result: unknown };
    expect(doc.state).toBe('done');
    const result = DsmResult.parse(doc.result);
    expect(parseNb201(result.best.text)).toEqual(result.best.genotype);
    expect(result.rewards).toHaveLength(20);
    expect(result.best.accuracy).toBe(Math.max(...result.centres.map((c) => c.accuracy)));
    finishedJob = doc.jobId;
  }, 150_000);

  it('hands `winnow search --resume` of a DSM-NAS job to its own kind, which says why a finished one stays', async () => {
    const r = await runCli(['search', '--resume', String(finishedJob)], dataDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Job ${finishedJob} is done; only interrupted, cancelled or failed jobs can be resumed.`,
    );
    expect(r.stderr).not.toMatch(/not a search/);
  });

  it('is the dsm-search kind: its own command prints iteration and done lines', async () => {
    const r = await runCli(
      ['dsm-search', '--dataset-id', String(data.datasetId), '--iterations', '10', ...TINY],
      dataDir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^iteration 10\/10 {2}subspace \d/m);
    expect(r.stderr).toMatch(/^10 iterations over 4 subspaces \(M=2\)/m);
    const best = /^best: (\S+)/m.exec(r.stderr)![1]!;
    expect(parseNb201(best).space).toBe('nb201');
  }, 150_000);

  it('refuses an unknown algorithm, listing the valid ones', async () => {
    const r = await runCli(['search', '--algorithm', 'enas', '--dataset', String(data.datasetId)], dataDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--algorithm must be one of darts, darts2, pc-darts, p-darts, beta-darts, gdas, dsm; got "enas"/,
    );
  });
});
