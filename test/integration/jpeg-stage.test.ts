/**
 * JPEG compression at a job's stage [Poyser-thesis §6], through the API with the engine in this process, on a small
 * synthetic colour dataset (28x28, the autoencoder's smallest size): an autoencoder with a JPEG quality encodes the
 * images once into the compression study's cache; an evaluation and a search at the same quality read them back
 * from it, each saying so in its log, and the settings stay in each job's parameters. The built CLI offers the two
 * flags on the three commands and checks them. A compressed search stopped and resumed continues exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenotypeJson } from '../../shared/genotype.js';
import type { StoredJobEvent } from '../../shared/jobs.js';
import { datasetCacheDir } from '../../main/engine/compress/cache.js';
import { jpegCacheDir } from '../../main/api/compressions.js';
import { datasetContentHash } from '../../main/api/searches.js';
import { jobKind } from '../../main/jobs/registry.js';
import { PackedImages } from '../../main/data/tensor-store.js';
import { AE_FILES } from '../../main/engine/embed/ae-files.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import { embedWithStoredAutoencoder } from '../../main/engine/selection/embeddings.js';
import { autoencoderDirFor, jobDirFor } from '../../main/store/paths.js';
import { runCli } from '../helpers/cli.js';
import { inProcessHost, runToDone } from '../helpers/in-process.js';
import {
  bandsHostPerFile,
  expectResumedLikeStraight,
  runSearchInProcess,
  stoppedAndResumed,
  tinySearchParams,
} from '../fixtures/search-host.js';

const env = inProcessHost({ kind: 'synth-chroma', n: 60, size: 28, seed: 4 });
const JPEG = { jpegQuality: 15, jpegSubsampling: '4:2:0', backend: 'wasm' } as const;

const logs = (events: StoredJobEvent[]) => events.flatMap((e) => (e.event.type === 'log' ? [e.event.message] : []));
const phases = (events: StoredJobEvent[]) =>
  new Set(events.flatMap((e) => (e.event.type === 'progress' && e.event.phase ? [e.event.phase] : [])));

describe('a JPEG quality at the autoencoder, evaluation and search stages', () => {
  let autoencoderId = 0;

  it('encodes once, then every stage at that quality reads the cache', async () => {
    const run = (kind: 'autoencoder' | 'evaluate' | 'search', params: Record<string, unknown>) =>
      runToDone(env.host, kind, { datasetId: env.datasetId, ...JPEG, ...params });

    const ae = await run('autoencoder', { untrained: true, batch: 8, mapPoints: 20 });
    expect(logs(ae.events)).toContainEqual(
      expect.stringMatching(/^Compressed the images at quality 15 \(4:2:0\) — encoded in [\d.]+ s\.$/),
    );
    expect(phases(ae.events)).toEqual(new Set(['encoding', 'embedding']));
    const hash = datasetContentHash(env.host.store, env.datasetId)!;
    expect(fs.readdirSync(datasetCacheDir(jpegCacheDir(env.dir), hash))).toEqual(['q15-420']);

    const evaluation = await run('evaluate', {
      source: { kind: 'baseline', name: 'cnn' },
      preset: 'tiny',
      epochs: 1,
      batch: 8,
    });
    expect(logs(evaluation.events)).toContain('Compressed the images at quality 15 (4:2:0) — from the cache.');
    expect(phases(evaluation.events)).toEqual(new Set(['encoding', 'training']));
    expect(evaluation.job.params).toMatchObject({ jpegQuality: 15, jpegSubsampling: '4:2:0' });

    const search = await run('search', { space: 'nb201', cells: 1, channels: 2, epochs: 1, batch: 6 });
    const searchLogs = logs(search.events);
    expect(searchLogs).toContain('Compressed the images at quality 15 (4:2:0) — from the cache.');
    expect(searchLogs.some((m) => m.startsWith('Supernet test accuracy'))).toBe(true);
    expect(search.job.params).toMatchObject({ jpegQuality: 15 });
    // Cost before Start counts the encoding of each kind at a quality, and none without one (each kind's count,
    // without the network's timing probe that jobs.estimate adds)
    for (const [kind, params] of [
      ['autoencoder', {}],
      ['search', { space: 'nb201', cells: 1, channels: 2, epochs: 1, batch: 6 }],
      ['evaluate', { source: { kind: 'baseline', name: 'cnn' }, preset: 'tiny', epochs: 1, batch: 8 }],
    ] as const) {
      const spec = jobKind(kind);
      const parts = (jpegQuality: number | null) =>
        spec.estimate!(
          env.host,
          spec.engine.params.parse({ datasetId: env.datasetId, ...JPEG, ...params, jpegQuality }),
        ).count().parts;
      expect(parts(15)[0], kind).toBe('60 images compressed at JPEG quality 15 first (unless an earlier job did)');
      expect(parts(null).join(' '), kind).not.toMatch(/compressed/);
    }
    const genotypeFile = path.join(jobDirFor(env.dir, search.job.id), SEARCH_FILES.genotypeJson);
    const provenance = parseGenotypeJson(fs.readFileSync(genotypeFile, 'utf8')).provenance;
    expect(provenance.jpeg).toEqual({ quality: 15, subsampling: '4:2:0' });
    // one entry for the three jobs
    expect(fs.readdirSync(datasetCacheDir(jpegCacheDir(env.dir), hash))).toEqual(['q15-420']);
    expect(fs.existsSync(path.join(datasetCacheDir(jpegCacheDir(env.dir), hash), 'q15-420', 'images.u8'))).toBe(true);
    autoencoderId = (ae.job.result as { autoencoderId: number }).autoencoderId;
    // its record says which images it saw, for the lists and a DDS search's choice
    expect(env.host.store.autoencoders.get(autoencoderId)).toMatchObject({ jpegQuality: 15, jpegSubsampling: '4:2:0' });
  }, 60_000);

  it("DDS uses a stored autoencoder's codes when it saw the same images, else has it embed the search's", async () => {
    const dds = (params: Record<string, unknown>) =>
      runToDone(env.host, 'search', {
        datasetId: env.datasetId,
        backend: 'wasm',
        space: 'nb201',
        cells: 1,
        channels: 2,
        epochs: 1,
        batch: 6,
        strategy: 'dds',
        subset: 12,
        autoencoderId,
        ...params,
      });
    const dir = autoencoderDirFor(env.dir, autoencoderId);
    // the autoencoder was trained and embedded at quality 15, 4:2:0: a search there uses its stored codes
    const same = await dds({ jpegQuality: 15 });
    expect(logs(same.events)).toContainEqual(
      expect.stringMatching(new RegExp(`^DDS over autoencoder ${autoencoderId} \\(N=\\d+\\)\\.$`)),
    );
    expect(phases(same.events).has('preparing')).toBe(false);
    // a search on the originals has it embed them; the codes are its own weights' (the compressed copy's codes
    // come out as the autoencoder job stored them)
    const original = await dds({ jpegQuality: null });
    expect(logs(original.events)).toContainEqual(expect.stringMatching(/it saw other images than this search/));
    expect(phases(original.events).has('preparing')).toBe(true);
    const originalGenotype = path.join(jobDirFor(env.dir, original.job.id), SEARCH_FILES.genotypeJson);
    expect(parseGenotypeJson(fs.readFileSync(originalGenotype, 'utf8')).provenance.jpeg).toBeUndefined();
    const codes = fs.readFileSync(path.join(jobDirFor(env.dir, original.job.id), SEARCH_FILES.embeddings));
    const stored = fs.readFileSync(path.join(dir, AE_FILES.embeddings));
    expect(codes.length).toBe(stored.length);
    expect(codes.equals(stored)).toBe(false);
    const hash = datasetContentHash(env.host.store, env.datasetId)!;
    const compressed = PackedImages.load(
      path.join(datasetCacheDir(jpegCacheDir(env.dir), hash), 'q15-420', 'images.u8'),
      { width: 28, height: 28, channels: 3 },
    );
    const again = embedWithStoredAutoencoder(dir, compressed);
    const want = new Float32Array(stored.buffer, stored.byteOffset, stored.byteLength / 4);
    expect(Math.max(...again.map((v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-5);
  }, 60_000);

  it('the CLI offers --jpeg-quality and --jpeg-subsampling on ae train, search and evaluate', async () => {
    const commands = [['ae', 'train'], ['search'], ['evaluate', '--baseline', 'cnn']];
    for (const command of commands) {
      const bad = await runCli([...command, '--dataset', String(env.datasetId), '--jpeg-quality', '0'], env.dir);
      expect(bad.code, command.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--jpeg-quality must be a whole number from 1 to 100/);
    }
    const sub = await runCli(
      ['search', '--dataset', '1', '--jpeg-quality', '15', '--jpeg-subsampling', '4:1:1'],
      env.dir,
    );
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/--jpeg-subsampling must be one of 4:2:0, 4:4:4/);
  }, 30_000);
});

describe('a search on compressed images, stopped and resumed', () => {
  const bands = bandsHostPerFile('winnow-jpeg-resume-');
  it('continues exactly', async () => {
    const params = tinySearchParams('nb201', { seed: 7, jpegQuality: 10 });
    const straight = await runSearchInProcess(
      path.join(bands.dir, 'straight'),
      params,
      { resume: false, backend: 'wasm' },
      bands.host,
    );
    const resumed = await stoppedAndResumed(path.join(bands.dir, 'resumed'), params, 1, bands.host);
    expectResumedLikeStraight(straight, resumed, 1);
  }, 120_000);
});
