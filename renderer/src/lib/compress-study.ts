/**
 * A compression study as it arrives: what `compressions.get` returned merged with the `compress-point` pushes
 * since, and the progress grid (quality × subsampling, one state per protocol) drawn from it.
 */
import type {
  CodecPoint,
  CompressParams,
  CompressPointData,
  CompressProtocol,
  CompressReference,
  CompressRow,
  CompressionDetail,
  CompressionSummary,
  Subsampling,
} from '../../../shared/compress.js';
import { PROTOCOLS, SUBSAMPLINGS, gridKey } from '../../../shared/compress-defaults.js';
import type { PushMessage } from '../../../shared/jobs.js';

export interface StudyData {
  reference: CompressReference | null;
  /** The model's label once the reference is measured. */
  model: string | null;
  codec: CodecPoint[];
  rows: CompressRow[];
}

export const emptyStudy = (): StudyData => ({ reference: null, model: null, codec: [], rows: [] });

export function studyOfDetail(
  d: Pick<CompressionDetail, 'reference' | 'codec' | 'rows'> & { summary: Pick<CompressionSummary, 'model'> },
): StudyData {
  return { reference: d.reference, model: d.summary.model, codec: d.codec, rows: d.rows };
}

/** A pushed piece of study `jobId`, else null. */
export function compressPointFromPush(message: PushMessage, jobId: number): CompressPointData | null {
  if (message.channel !== 'job.event' || message.jobId !== jobId) return null;
  return message.event.type === 'compress-point' ? message.event.data : null;
}

export const rowKey = (r: Pick<CompressRow, 'protocol' | 'quality' | 'subsampling'>) =>
  `${r.protocol}-${gridKey(r.quality, r.subsampling)}`;

/** Adds pieces to a study: a later piece of the same point (or row) replaces the earlier one. */
export function applyPoints(study: StudyData, points: readonly CompressPointData[]): StudyData {
  if (points.length === 0) return study;
  let { reference, model } = study;
  const codec = new Map(study.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  const rows = new Map(study.rows.map((r) => [rowKey(r), r]));
  for (const p of points) {
    if (p.kind === 'reference') {
      reference = p.reference;
      model = p.model;
    } else if (p.kind === 'codec') codec.set(gridKey(p.point.quality, p.point.subsampling), p.point);
    else rows.set(rowKey(p.row), p.row);
  }
  return { reference, model, codec: [...codec.values()], rows: [...rows.values()] };
}

/**
 * The subsamplings a study runs: its params' (4:2:0 first), or one when the dataset is grey — known from the
 * dataset's channels or, without them, from the summary's row count (protocols × qualities × subsamplings).
 */
export function usedSubsamplings(
  params: Pick<CompressParams, 'qualities' | 'subsampling' | 'protocols'>,
  facts: { channels?: number | null; rowsTotal?: number | null } = {},
): Subsampling[] {
  const chosen = SUBSAMPLINGS.filter((s) => params.subsampling.includes(s));
  const grey =
    facts.channels === 1 ||
    (facts.channels == null &&
      facts.rowsTotal != null &&
      chosen.length > 1 &&
      facts.rowsTotal === params.protocols.length * params.qualities.length);
  if (grey && chosen.length > 1) return [chosen.includes('4:4:4') ? '4:4:4' : chosen[0]!];
  return chosen;
}

export type PieceState = 'pending' | 'done';

export interface GridCellProtocol {
  protocol: CompressProtocol;
  state: PieceState;
  accuracy: number | null;
}

export interface GridCell {
  key: string;
  quality: number;
  subsampling: Subsampling;
  codec: CodecPoint | null;
  protocols: GridCellProtocol[];
  /** pending: nothing yet; partial: encoded or some protocols done; done: every protocol measured. */
  state: 'pending' | 'partial' | 'done';
}

export interface ProgressGrid {
  /** Columns, highest quality first (the order the study runs). */
  qualities: number[];
  rows: Array<{ subsampling: Subsampling; cells: GridCell[] }>;
  rowsDone: number;
  rowsTotal: number;
}

/** The progress grid: quality columns × subsampling rows, each cell with its codec numbers and a state per protocol. */
export function progressGrid(
  plan: { qualities: readonly number[]; subsamplings: readonly Subsampling[]; protocols: readonly CompressProtocol[] },
  study: Pick<StudyData, 'codec' | 'rows'>,
): ProgressGrid {
  const qualities = [
    ...new Set([...plan.qualities, ...study.codec.map((c) => c.quality), ...study.rows.map((r) => r.quality)]),
  ].sort((a, b) => b - a);
  const seen = new Set<Subsampling>([
    ...plan.subsamplings,
    ...study.codec.map((c) => c.subsampling),
    ...study.rows.map((r) => r.subsampling),
  ]);
  const subsamplings = SUBSAMPLINGS.filter((s) => seen.has(s));
  const protocols = PROTOCOLS.filter((p) => plan.protocols.includes(p) || study.rows.some((r) => r.protocol === p));
  const codec = new Map(study.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  const rows = new Map(study.rows.map((r) => [rowKey(r), r]));
  let rowsDone = 0;
  const out = subsamplings.map((subsampling) => ({
    subsampling,
    cells: qualities.map((quality): GridCell => {
      const key = gridKey(quality, subsampling);
      const ps = protocols.map((protocol): GridCellProtocol => {
        const r = rows.get(`${protocol}-${key}`);
        if (r) rowsDone += 1;
        return { protocol, state: r ? 'done' : 'pending', accuracy: r ? r.accuracy : null };
      });
      const c = codec.get(key) ?? null;
      const done = ps.filter((p) => p.state === 'done').length;
      const state = done === ps.length && ps.length > 0 ? 'done' : done > 0 || c ? 'partial' : 'pending';
      return { key, quality, subsampling, codec: c, protocols: ps, state };
    }),
  }));
  return { qualities, rows: out, rowsDone, rowsTotal: qualities.length * subsamplings.length * protocols.length };
}
