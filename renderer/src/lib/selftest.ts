/** The self-test job's result, read defensively (the renderer does not bundle zod). */
import type { SelftestResult } from '../../../shared/jobs.js';
import { formatNumber } from './format.js';

const NUMBER_FIELDS = [
  'steps',
  'batch',
  'seconds',
  'stepsPerSecond',
  'imagesPerSecond',
  'initialLoss',
  'finalLoss',
] as const;

export function parseSelftestResult(value: unknown): SelftestResult | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.backend !== 'string') return null;
  for (const f of NUMBER_FIELDS) if (typeof v[f] !== 'number') return null;
  return v as unknown as SelftestResult;
}

export interface ResultFact {
  label: string;
  value: string;
}

/** The facts a person wants from a self-test, in reading order. */
export function selftestFacts(r: SelftestResult): ResultFact[] {
  return [
    { label: 'Backend', value: r.backend },
    { label: 'Steps / s', value: r.stepsPerSecond.toFixed(r.stepsPerSecond >= 100 ? 0 : 2) },
    { label: 'Images / s', value: Math.round(r.imagesPerSecond).toLocaleString('en-US') },
    { label: 'Loss', value: `${formatNumber(r.initialLoss, 4)} → ${formatNumber(r.finalLoss, 4)}` },
    { label: 'Steps × batch', value: `${r.steps} × ${r.batch}` },
    { label: 'Time', value: `${r.seconds.toFixed(2)} s` },
  ];
}
