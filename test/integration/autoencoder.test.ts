/**
 * The `autoencoder` job end to end on the MNIST sample: the host prepares the dataset, the engine worker trains
 * (briefly), embeds, measures and maps, the host commits; then the API and CLI read it back.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AeDetail, AeReconstruction, AeSummary } from '../../shared/autoencoder.js';
import type { ImportResult } from '../../shared/datasets.js';
import type { JobSummary } from '../../shared/jobs.js';
import { openHost, workerLogFile, type WinnowHost } from '../../main/api/host.js';
import { AE_FILES, readEmbeddings } from '../../main/engine/embed/ae-files.js';
import { forkLauncher } from '../../main/supervisor/launchers.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir();
const dataDir = path.join(t.dir, 'data');
let host: WinnowHost;
let datasetId = 0;

async function runJob(kind: 'autoencoder' | 'import', params: Record<string, unknown>): Promise<JobSummary> {
  const started = (await host.api.dispatch('jobs.start', { kind, params })) as JobSummary;
  await host.supervisor.whenIdle();
  return host.store.jobs.get(started.id)!;
}

beforeAll(async () => {
  host = await openHost({
    dataDir,
    transport: 'in-process',
    launcher: forkLauncher({ logFile: workerLogFile(dataDir) }),
  });
  const job = await runJob('import', { source: { kind: 'mnist-sample' } });
  datasetId = (job.result as ImportResult).id;
});
afterAll(async () => {
  await host.close();
  t.cleanup();
});

describe('autoencoder job', () => {
  let trained: number;
  let untrained: number;

  it('trains the mnist-like preset briefly and stores embeddings, metrics, map and reconstructions', async () => {
    const job = await runJob('autoencoder', { datasetId, epochs: 1, batch: 64, mapPoints: 300 });
    expect(job.state, job.message ?? '').toBe('done');
    const result = job.result as { autoencoderId: number; metrics: AeDetail['metrics'] };
    trained = result.autoencoderId;
    const a = (await host.api.dispatch('autoencoders.get', { id: trained })) as AeDetail;
    expect(a).toMatchObject({
      datasetId,
      preset: 'mnist-like',
      losses: ['contractive'],
      kendall: false,
      dim: 8,
      epochs: 1,
      untrained: false,
    });
    expect(a.history).toHaveLength(1);
    expect(a.history[0]!.terms).toHaveProperty('contractive');
    expect(a.map).toHaveLength(300);
    expect(a.classNames).toHaveLength(10);
    const m = a.metrics;
    for (const v of [m.knnAgreement, m.silhouette, m.psnr, m.ssim]) expect(Number.isFinite(v)).toBe(true);
    expect(m.knnAgreement).toBeGreaterThan(0.3); // one epoch already clusters digits far above chance (0.1)
    const dir = path.join(dataDir, 'autoencoders', String(trained));
    expect(readEmbeddings(dir, 8).length).toBe(10_000 * 8);
    const metricEvents = (await host.api.dispatch('jobs.events', { id: job.id, types: ['metric'] })) as Array<{
      event: { name: string };
    }>;
    expect(metricEvents.map((e) => e.event.name)).toContain('loss/contractive');
    const recon = (await host.api.dispatch('autoencoders.reconstructions', {
      id: trained,
      count: 10,
    })) as AeReconstruction[];
    expect(recon).toHaveLength(10);
    expect(new Set(recon.map((r) => r.label)).size).toBe(10); // spread over the classes
    const meta = await sharp(Buffer.from(recon[0]!.reconstruction.split(',')[1]!, 'base64')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([28, 28, 1]);
  });

  it('an untrained autoencoder (the ablation) clusters worse than the trained one', async () => {
    const job = await runJob('autoencoder', { datasetId, untrained: true, mapPoints: 0 });
    expect(job.state, job.message ?? '').toBe('done');
    untrained = (job.result as { autoencoderId: number }).autoencoderId;
    const list = (await host.api.dispatch('autoencoders.list', { datasetId })) as AeSummary[];
    const [u, tr] = [list.find((a) => a.id === untrained)!, list.find((a) => a.id === trained)!];
    expect(u).toMatchObject({ untrained: true, epochs: 0 });
    expect(tr.metrics.knnAgreement).toBeGreaterThan(u.metrics.knnAgreement);
  });

  it('refuses a dataset that does not exist, and deletes autoencoders with their files', async () => {
    const job = await runJob('autoencoder', { datasetId: 999, epochs: 1 });
    expect(job.state).toBe('failed');
    expect(job.message).toMatch(/There is no dataset 999/);
    await host.api.dispatch('autoencoders.delete', { id: untrained });
    expect(fs.existsSync(path.join(dataDir, 'autoencoders', String(untrained)))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'autoencoders', String(trained), AE_FILES.weights))).toBe(true);
  });
});

describe('winnow ae (CLI)', () => {
  it('makes an (untrained, for speed) autoencoder with --json, lists it, and writes the latent map as PNG', async () => {
    const dir = path.join(t.dir, 'cli');
    expect((await runCli(['dataset', 'sample', 'mnist'], dir)).code).toBe(0);
    const r = await runCli(['ae', 'train', '--dataset', '1', '--untrained', '--json'], dir, 300_000);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ id: 1 });
    expect(out.knnAgreement).toBeGreaterThan(0);
    const png = path.join(t.dir, 'map.png');
    expect((await runCli(['ae', 'map', '1', '--out', png], dir)).code).toBe(0);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(500);
    const list = JSON.parse((await runCli(['ae', 'list', '--json'], dir)).stdout) as AeSummary[];
    expect(list.map((a) => a.id)).toEqual([1]);
    const bad = await runCli(['ae', 'train', '--dataset', '1', '--loss', 'psychic'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--loss must be one of/);
  });
});
