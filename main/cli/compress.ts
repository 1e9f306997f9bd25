/**
 * What `winnow compress` prints: a line per finished piece of the study, the final table, the list of studies.
 * Pure formatting; the command itself is in commands/.
 */
import type { ListSpec } from './args.js';
import {
  gridKey,
  type CompressPointData,
  type CompressResult,
  type CompressionSummary,
} from '../../shared/compress.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import { resumeHint, stopReason } from './output.js';
import { percent } from './search.js';

const points = (std: number | null): string => (std === null ? '' : `${(std * 100).toFixed(2)} pts`);

/** `q 50 4:2:0  812 B/image  6.34 bpp  rate 0.41  PSNR 31.2 dB  SSIM 0.912` or `retrain  q 50 4:2:0  accuracy 91.2%  group std 3.10 pts` */
export function compressPointLine(d: CompressPointData): string {
  if (d.kind === 'reference') {
    return `${d.model} on the original test images: accuracy ${percent(d.reference.accuracy)}${d.reference.groupStd === null ? '' : `, group std ${points(d.reference.groupStd)}`}`;
  }
  if (d.kind === 'codec') {
    const p = d.point;
    return `q ${String(p.quality).padStart(3)} ${p.subsampling}  ${p.meanBytes.toFixed(0)} B/image  ${p.bitsPerPixel.toFixed(2)} bpp  rate ${p.compressionRate.toFixed(3)}  PSNR ${p.psnr.toFixed(1)} dB  SSIM ${p.ssim.toFixed(3)}${p.cached ? '  (cached)' : ''}`;
  }
  const r = d.row;
  return `${r.protocol.padEnd(7)}  q ${String(r.quality).padStart(3)} ${r.subsampling}  accuracy ${percent(r.accuracy)}${r.groupStd === null ? '' : `  group std ${points(r.groupStd)}`}`;
}

export function compressEventLine(e: JobEvent): string | null {
  return e.type === 'compress-point' ? compressPointLine(e.data) : null;
}

/** One line per protocol × grid point, with the codec's numbers beside the accuracy. */
export function compressResultRows(r: CompressResult): Array<Record<string, string | number>> {
  const codec = new Map(r.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  return r.rows.map((row) => {
    const c = codec.get(gridKey(row.quality, row.subsampling));
    return {
      protocol: row.protocol,
      quality: row.quality,
      subsampling: row.subsampling,
      accuracy: percent(row.accuracy),
      'Δ vs original': `${((row.accuracy - r.reference.accuracy) * 100).toFixed(1)} pts`,
      'group std': points(row.groupStd),
      'B/image': c ? Math.round(c.meanBytes) : '',
      bpp: c ? c.bitsPerPixel.toFixed(2) : '',
      rate: c ? c.compressionRate.toFixed(3) : '',
      'PSNR dB': c ? c.psnr.toFixed(1) : '',
      SSIM: c ? c.ssim.toFixed(3) : '',
    };
  });
}

export const COMPRESS_RESULT_COLUMNS = [
  'protocol',
  'quality',
  'subsampling',
  'accuracy',
  'Δ vs original',
  'group std',
  'B/image',
  'bpp',
  'rate',
  'PSNR dB',
  'SSIM',
];

export function compressDoneLines(job: JobSummary, r: CompressResult): string[] {
  return [
    `Compression study ${job.id} done in ${r.seconds.toFixed(0)} s on ${r.backend}: ${r.model}.`,
    `On the original test images: accuracy ${percent(r.reference.accuracy)}${r.reference.groupStd === null ? '' : `, group std ${points(r.reference.groupStd)}`}. Compression rate is the mean file size relative to quality 95, 4:2:0 (${Math.round(r.reference.referenceBytes)} bytes per image).`,
    ...r.notes,
    `\`winnow export table ${job.id} --out study.csv\` writes the whole table as CSV.`,
  ];
}

export function compressStoppedLine(job: JobSummary, rowsDone: number, rowsTotal: number): string {
  return `Compression study ${job.id} ${job.state} after ${rowsDone} of ${rowsTotal} accuracy rows${stopReason(job)}${resumeHint(job, 'compress')}`;
}

function compressionRows(list: CompressionSummary[]): Array<Record<string, string | number>> {
  return list.map((s) => ({
    id: s.jobId,
    state: s.state,
    dataset: s.datasetName === null ? `${s.datasetId} (deleted)` : `${s.datasetId} ${s.datasetName}`,
    model: s.model.length > 40 ? `${s.model.slice(0, 39)}…` : s.model,
    qualities: s.qualities.join(','),
    subsampling: s.subsampling.join(','),
    protocols: s.protocols.join(','),
    rows: `${s.rowsDone}/${s.rowsTotal}`,
    seconds: s.seconds === null ? '' : Math.round(s.seconds),
  }));
}

/** `winnow compress list`: the API's list as a table, or a hint when there is none yet. */
export const COMPRESSION_LIST: ListSpec<CompressionSummary> = {
  method: 'compressions.list',
  rows: compressionRows,
  columns: ['id', 'state', 'dataset', 'model', 'qualities', 'subsampling', 'protocols', 'rows', 'seconds'],
  empty: 'No compression studies yet. Start one with `winnow compress --dataset <id> --baseline cnn`.',
};
