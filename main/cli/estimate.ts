/** What `winnow <kind> ... --estimate` prints: the job's cost before it starts (shared/cost.ts's estimate). */
import { formatBytes, formatDuration, type CostEstimate } from '../../shared/cost.js';

export function estimateLines(e: CostEstimate): string[] {
  const time =
    e.seconds === null
      ? `Time: not known yet. ${e.basis.note ?? ''}`.trim()
      : `Time: about ${formatDuration(e.seconds)}`;
  const basis =
    e.basis.secondsPerImage === null
      ? null
      : `  (${(e.basis.secondsPerImage * 1000).toFixed(1)} ms per training image on ${e.basis.backend}` +
        `${e.basis.calibrated !== null ? ', timed on this machine' : ''}` +
        `${e.basis.runs > 0 ? `, refined by ${e.basis.runs} finished run${e.basis.runs === 1 ? '' : 's'}` : ''})`;
  const lines = [
    time,
    ...(basis ? [basis] : []),
    `Images processed: ${e.images.toLocaleString('en')} (${e.parts.join('; ')})`,
    `Disk: ${e.diskBytes === null ? 'not known yet' : `about ${formatBytes(e.diskBytes)}`}`,
  ];
  if (e.quickLook) {
    lines.push(
      `This will take over 30 minutes. A quick look in about ${formatDuration(e.quickLook.seconds)}: ${e.quickLook.changes.join(', ')}.`,
    );
  }
  return lines;
}
