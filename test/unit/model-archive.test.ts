/** A model as one `.winnow-model.zip`: models.archive packs it, models.import takes it back (or refuses it). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelFile, ModelSummary } from '../../shared/evaluate.js';
import { archiveName } from '../../main/api/model-archive.js';
import { modelDirFor } from '../../main/store/paths.js';
import { listZip } from '../../main/zip/read.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { modelFolder, snapshot } from '../helpers/model-folder.js';
import { modelReport } from '../helpers/models.js';
import { NB201_TEXT } from '../helpers/models-api.js';
import { scratch } from '../helpers/scratch.js';
import { writeZip } from '../helpers/zip.js';

function saveArchive(a: ModelFile): string {
  const file = path.join(scratch(), a.filename);
  fs.writeFileSync(file, Buffer.from(a.data, 'base64'));
  return file;
}

describe('model archives', () => {
  it('names the file after the model, never empty and never a path', () => {
    expect(archiveName('DDS search #4 — C=16, 8 cells', 3)).toBe('dds-search-4-c16-8-cells.winnow-model.zip');
    expect(archiveName('../../etc/passwd', 3)).toBe('etcpasswd.winnow-model.zip');
    expect(archiveName('—', 7)).toBe('model-7.winnow-model.zip');
  });

  it('packs a stored model into one zip that imports back byte for byte, genotype included', async () => {
    const h = await openTestHost();
    const genotype = '{"format": "winnow-genotype"}\n';
    const src = modelFolder({ genotype, report: modelReport({ genotypeText: NB201_TEXT }) });
    const m = (await h.api.dispatch('models.import', { path: src, name: 'searched cell' })) as ModelSummary;
    const a = (await h.api.dispatch('models.archive', { id: m.id })) as ModelFile;
    expect(a).toMatchObject({
      filename: 'searched-cell.winnow-model.zip',
      mime: 'application/zip',
      encoding: 'base64',
    });
    const file = saveArchive(a);
    expect(listZip(file).map((e) => e.name)).toEqual(['model.json', 'weights.bin', 'report.json', 'genotype.json']);
    const back = (await h.api.dispatch('models.import', { path: file })) as ModelSummary;
    expect(back.id).not.toBe(m.id);
    expect(back).toMatchObject({ name: 'exported cnn', origin: 'import', genotypeText: NB201_TEXT });
    expect(snapshot(modelDirFor(h.dataDir, back.id))).toEqual(snapshot(src));
    expect(fs.readdirSync(path.join(h.dataDir, 'models')).sort()).toEqual([String(m.id), String(back.id)].sort());
    expect(await rejection(h.api.dispatch('models.archive', { id: 999 }))).toMatchObject({ code: 'not_found' });
  });

  it('refuses an archive that is not a model, a damaged one, or one with other files, and keeps nothing', async () => {
    const h = await openTestHost();
    const m = (await h.api.dispatch('models.import', { path: modelFolder() })) as ModelSummary;
    const good = fs.readFileSync(saveArchive((await h.api.dispatch('models.archive', { id: m.id })) as ModelFile));
    const dir = scratch();
    const cases: Array<[string, (file: string) => void, RegExp]> = [
      ['text.zip', (f) => fs.writeFileSync(f, 'not a zip'), /not a readable zip file.*Choose a \.winnow-model\.zip/],
      ['cut.zip', (f) => fs.writeFileSync(f, good.subarray(0, 60)), /not a readable zip file/],
      [
        'escape.zip',
        (f) => {
          // the writer refuses such a name; write another of the same length and patch it in
          writeZip(f, [{ name: 'zz/model.json', data: Buffer.from('{}') }]);
          fs.writeFileSync(f, Buffer.from(fs.readFileSync(f).toString('latin1').replaceAll('zz/', '../'), 'latin1'));
        },
        /holds "\.\.\/model\.json", which is not part of a Winnow model/,
      ],
      [
        'extra.zip',
        (f) => writeZip(f, [{ name: 'notes.txt', data: Buffer.from('hello') }]),
        /holds "notes\.txt", which is not part of a Winnow model/,
      ],
      [
        'no-report.zip',
        (f) => writeZip(f, [{ name: 'model.json', data: Buffer.from('{"modelTopology": {}, "weightsManifest": []}') }]),
        /report\.json/,
      ],
    ];
    for (const [name, write, message] of cases) {
      const file = path.join(dir, name);
      write(file);
      const e = await rejection(h.api.dispatch('models.import', { path: file }));
      expect(e.code, name).toBe('bad_input');
      expect(e.message, name).toMatch(message);
    }
    expect(fs.readdirSync(path.join(h.dataDir, 'models'))).toEqual([String(m.id)]);
  });
});
