/**
 * The compression study's constants, defaults and pure helpers without zod, so the renderer can import them
 * (shared/compress.ts builds the schemas from them and re-exports everything here).
 */
import { EVALUATE_LIMITS, type EvalPreset } from './evaluate-defaults.js';

/** The thesis' JPEG quality set (Sec. 3.2, Sec. 6.2: {5, 10, 15, 50, 75, 95}). */
export const THESIS_QUALITIES = [5, 10, 15, 50, 75, 95] as const;
/**
 * Compression rate is the mean file size relative to quality 95 (thesis Table 3 caption: "the approximate final
 * file size compared to using JPEG Parameter 95"), at JPEG's default subsampling 4:2:0, so 4:2:0 and 4:4:4 points
 * share one scale. The reference is measured even when 95 is not in the grid.
 */
export const REFERENCE_QUALITY = 95;
export const SUBSAMPLINGS = ['4:2:0', '4:4:4'] as const;
export type Subsampling = (typeof SUBSAMPLINGS)[number];
export const REFERENCE_SUBSAMPLING: Subsampling = '4:2:0';
export const PROTOCOLS = ['test', 'retrain', 'mixed'] as const;
export type CompressProtocol = (typeof PROTOCOLS)[number];
export const PROTOCOL_LABELS: Record<CompressProtocol, string> = {
  test: 'Test only (trained on originals)',
  retrain: 'Retrained at each point (half quality 95)',
  mixed: 'Trained once on mixed qualities',
};

/** Limits of the study's parameters, shared by the schema, the CLI and the form. */
export const COMPRESS_LIMITS = {
  quality: { min: 1, max: 100 },
  qualities: { max: 20 },
  epochs: EVALUATE_LIMITS.epochs,
  seed: { min: 0, max: 2 ** 31 - 1 },
  limitPerClass: { min: 1, max: 1_000_000 },
  sizeSample: { min: 1, max: 100_000 },
} as const;

/** The schema's defaults (what the form starts from). */
export const COMPRESS_DEFAULTS = {
  qualities: [...THESIS_QUALITIES] as number[],
  subsampling: [...SUBSAMPLINGS] as Subsampling[],
  mozjpeg: false,
  protocols: ['test'] as CompressProtocol[],
  epochs: 5,
  preset: 'small' as EvalPreset,
  batch: 64,
  lr: 0.025,
  seed: 0,
  limitPerClass: null as number | null,
  sizeSample: 500,
};

/**
 * The JPEG stage a job's images went through, in words for its settings line: "JPEG quality 15, 4:2:0"; null for the
 * original images (no quality, as in jobs from before the stage existed).
 */
export function jpegStageLabel(p: {
  jpegQuality?: number | null;
  jpegSubsampling?: Subsampling | null;
}): string | null {
  return p.jpegQuality == null ? null : `JPEG quality ${p.jpegQuality}, ${p.jpegSubsampling ?? REFERENCE_SUBSAMPLING}`;
}

export const gridKey = (quality: number, subsampling: Subsampling): string =>
  `q${quality}-${subsampling.replace(/:/g, '')}`;

/** Rows the study will produce: test and retrain at each point, mixed at each point (one network). */
export function expectedRows(
  p: { qualities: readonly number[]; subsampling: readonly Subsampling[]; protocols: readonly CompressProtocol[] },
  channels: number,
): number {
  const subsamplings = channels === 1 ? 1 : p.subsampling.length;
  return p.protocols.length * p.qualities.length * subsamplings;
}

// the fields of CodecPoint, CompressRow and CompressReference (shared/compress.ts) the table reads
interface CsvGroup {
  group: string;
  accuracy: number;
}
interface CsvCodecPoint {
  quality: number;
  subsampling: Subsampling;
  meanBytes: number;
  bitsPerPixel: number;
  compressionRate: number;
  psnr: number;
  ssim: number;
}
interface CsvRow {
  protocol: CompressProtocol;
  quality: number;
  subsampling: Subsampling;
  accuracy: number;
  loss: number;
  groupStd: number | null;
  trainSeconds: number;
  perClass: ReadonlyArray<{ name: string; accuracy: number }>;
  perGroup: readonly CsvGroup[] | null;
}
interface CsvReference {
  accuracy: number;
  groupStd: number | null;
  perGroup: readonly CsvGroup[] | null;
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  // six significant digits, without trailing zeros
  const s = typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The whole study as one CSV table (the Compression page's export and `winnow export table`): one line per protocol ×
 * grid point with its accuracies and its codec numbers; per-class and per-group accuracy as one column each.
 */
export function compressTableCsv(detail: {
  codec: readonly CsvCodecPoint[];
  rows: readonly CsvRow[];
  reference: CsvReference | null;
}): string {
  const classNames = detail.rows[0]?.perClass.map((c) => c.name) ?? [];
  const groups = [...new Set(detail.rows.flatMap((r) => r.perGroup?.map((g) => g.group) ?? []))].sort();
  const header = [
    'protocol',
    'quality',
    'subsampling',
    'accuracy',
    'loss',
    'group_std',
    'mean_bytes',
    'bits_per_pixel',
    'compression_rate',
    'psnr_db',
    'ssim',
    'train_seconds',
    ...classNames.map((n) => `class_${n}`),
    ...groups.map((g) => `group_${g}`),
  ];
  const codec = new Map(detail.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  const lines = [header.map(csvCell).join(',')];
  if (detail.reference) {
    const r = detail.reference;
    const byGroup = new Map(r.perGroup?.map((g) => [g.group, g.accuracy]) ?? []);
    lines.push(
      [
        'original',
        null,
        null,
        r.accuracy,
        null,
        r.groupStd,
        null,
        null,
        null,
        null,
        null,
        null,
        ...classNames.map(() => null),
        ...groups.map((g) => byGroup.get(g) ?? null),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  for (const row of detail.rows) {
    const c = codec.get(gridKey(row.quality, row.subsampling));
    const byGroup = new Map(row.perGroup?.map((g) => [g.group, g.accuracy]) ?? []);
    lines.push(
      [
        row.protocol,
        row.quality,
        row.subsampling,
        row.accuracy,
        row.loss,
        row.groupStd,
        c?.meanBytes ?? null,
        c?.bitsPerPixel ?? null,
        c?.compressionRate ?? null,
        c?.psnr ?? null,
        c?.ssim ?? null,
        row.trainSeconds,
        ...row.perClass.map((pc) => pc.accuracy),
        ...groups.map((g) => byGroup.get(g) ?? null),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
